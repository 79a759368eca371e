"""Channel adapters. Each raises ``DeliveryError`` saying whether trying again could help."""


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent
