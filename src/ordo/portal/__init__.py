"""Pages for customers (sign-up, sign-in, password reset, my orders, the order page, pay, wallet)
and guests (the tracking page)."""
