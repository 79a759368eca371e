"""The API through the embedded server (``ordo serve``): requests per second and latency percentiles
for order creation and transitions at several numbers of concurrent clients."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.report import Row, peak_rss_mib

ORDER = {
    "items": [
        {"sku": "MUG-01", "name": "Ceramic mug", "quantity": 2, "unit_price": "39.00"},
        {"sku": "TEA-200", "name": "Green tea 200 g", "quantity": 1, "unit_price": "54.50"},
        {"sku": "BAG-03", "name": "Canvas bag", "quantity": 1, "unit_price": "79.00"},
    ],
    "customer": {"email": "bench@example.org", "name": "Bench Buyer"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ordo(*args: str, env: dict[str, str]) -> str:
    ordo = str(Path(sys.executable).with_name("ordo"))
    return subprocess.run([ordo, *args], env=env, check=True, capture_output=True, text=True).stdout.strip()


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


#: Where Ordo's API is served, and where the bare Django view of bench/ceiling.py is.
API, CEILING = "/api/v1", "/bench/ceiling"


class Client:
    def __init__(self, port: int, token: str, base: str = API):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _send(self, path: str, body: dict) -> tuple[int, bytes]:
        self.conn.request("POST", f"{self.base}{path}", body=json.dumps(body), headers=self.headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def post(self, path: str, body: dict) -> tuple[int, float]:
        """The answer's status and how long it took; its body is read whole and left unparsed, so
        the load generator — on the same two cores as the server — spends the same on the API's
        order (2–3 kB of JSON) as on the bare view's few bytes."""
        started = time.perf_counter()
        status, _ = self._send(path, body)
        return status, time.perf_counter() - started

    def place(self) -> int:
        """A new order's number (a transition client's setup, not timed)."""
        return int(json.loads(self._send("/orders", ORDER)[1])["number"])


WEBHOOK_SECRET = "whsec_bench"


def _signed_event(number: int, event_id: str) -> tuple[bytes, dict[str, str]]:
    import stripe

    obj = {
        "id": f"cs_{event_id}",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 25000,
        "currency": "pln",
        "payment_intent": f"pi_{event_id}",
        "metadata": {"order": str(number)},
    }
    payload = json.dumps(
        {"id": event_id, "object": "event", "type": "checkout.session.completed", "data": {"object": obj}}
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    return payload.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}


def _webhooks(port: int, numbers: list[int], clients: int, seconds: float) -> tuple[float, list[float], int]:
    """Signed Stripe events, each paying another order, from ``clients`` senders at once."""
    queue = iter(numbers)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            with lock:
                number = next(queue, None)
            if number is None:
                return
            body, headers = _signed_event(number, f"evt_{index}_{number}")
            started = time.perf_counter()
            conn.request("POST", "/api/v1/payments/webhooks/stripe", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors[0] += response.status != 200

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - started), sorted(latencies), errors[0]


def _load(
    port: int, token: str, clients: int, seconds: float, kind: str, base: str = API
) -> tuple[float, list[float], int]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    # The clock starts once every client is ready (a transition's client first places its order):
    # the setup is neither counted nor timed.
    start = [0.0]
    barrier = threading.Barrier(clients, action=lambda: start.__setitem__(0, time.perf_counter()))

    def work(index: int) -> None:
        client = Client(port, token, base)
        number = None
        if kind == "transition":
            number = client.place()
        barrier.wait()
        stop = start[0] + seconds
        step = 0
        while time.perf_counter() < stop:
            if kind == "create":
                status, took = client.post("/orders", ORDER)
            else:
                code = ("cancel", "reopen")[step % 2]
                status, took = client.post(f"/orders/{number}/transitions", {"transition": code})
            step += 1
            if status >= 400:
                errors[index] += 1
            latencies[index].append(took)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start[0]
    flat = sorted(x for per in latencies for x in per)
    return len(flat) / elapsed, flat, sum(errors)


def _side_by_side(
    port: int, token: str, clients: int, seconds: float, kind: str, bursts: int = 4
) -> tuple[tuple[float, list[float], int], tuple[float, list[float], int], list[float]]:
    """The API and the bare Django view under the same load, in ``bursts`` alternating bursts of
    ``seconds / bursts`` each: this machine's speed drifts by ±15 % over tens of seconds (other
    work on the host), and two runs one after the other measured the drift as often as the code.
    Each side's rate is the mean of its bursts' (of equal length); the shares are of each burst pair."""
    sides: list[list[tuple[float, list[float], int]]] = [[], []]
    for _ in range(bursts):
        for side, base in enumerate((API, CEILING)):
            sides[side].append(_load(port, token, clients, seconds / bursts, kind, base))
    shares = [ours[0] / bare[0] for ours, bare in zip(*sides, strict=True)]

    def merged(runs: list[tuple[float, list[float], int]]) -> tuple[float, list[float], int]:
        rate = statistics.fmean(rate for rate, _, _ in runs)  # bursts of equal length
        return rate, sorted(x for _, lat, _ in runs for x in lat), sum(errors for _, _, errors in runs)

    return merged(sides[0]), merged(sides[1]), shares


def _open_loop(
    port: int, token: str, rate: float, seconds: float, kind: str, senders: int = 48, base: str = API
) -> tuple[float, list[float], int]:
    """Requests offered at ``rate`` per second whether or not earlier ones have been answered (an
    open loop: the way many independent users arrive). The i-th request is due at start + i/rate;
    its latency runs from when it was due, so time spent waiting for a free sender counts (no
    coordinated omission). Returns the rate answered, the latencies and the errors."""
    lock = threading.Lock()
    due = [0]
    total = max(1, int(rate * seconds))
    latencies: list[float] = []
    errors = [0]
    start = [0.0]
    # The clock starts once every sender is ready (a transition's sender first places its order),
    # so no request is due before anyone could send it.
    ready = threading.Barrier(senders + 1, action=lambda: start.__setitem__(0, time.perf_counter() + 0.05))

    def work() -> None:
        client = Client(port, token, base)
        number = None
        if kind == "transition":
            number = client.place()
        step = 0
        ready.wait()
        while True:
            with lock:
                i = due[0]
                due[0] += 1
            if i >= total:
                return
            at = start[0] + i / rate
            wait = at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            if kind == "create":
                status, _ = client.post("/orders", ORDER)
            else:
                status, _ = client.post(f"/orders/{number}/transitions", {"transition": ("cancel", "reopen")[step % 2]})
                step += 1
            took = time.perf_counter() - at
            with lock:
                latencies.append(took)
                errors[0] += status >= 400

    threads = [threading.Thread(target=work) for _ in range(senders)]
    for t in threads:
        t.start()
    ready.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start[0]
    return len(latencies) / elapsed, sorted(latencies), errors[0]


def _percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def _print_closed(what: str, clients: int, rate: float, latencies: list[float], errors: int) -> None:
    p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
    print(
        f"http {what:<17} {clients:>3} clients: {rate:7.0f} req/s  p50 {p50:6.1f} ms  "
        f"p99 {p99:6.1f} ms  mean {statistics.fmean(latencies) * 1000:6.1f} ms  errors {errors}"
    )


def run(*, workdir: str, seconds: float, clients: list[int]) -> list[Row]:
    from django.db import connection

    from ordo.orders.models import Order

    aim = 70 if connection.vendor == "sqlite" else 60

    env = {
        **os.environ,
        "ORDO_VAR_DIR": workdir,
        "ORDO_LOG_LEVEL": "ERROR",
        "ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # The same server also serves the bare Django view the API is measured against.
        "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")])),
    }
    unpaid = list(Order.objects.filter(payment_status="unpaid").values_list("number", flat=True))
    token = _ordo("token", "create", "bench-admin", env=env)
    port = _free_port()
    workers = os.environ.get("ORDO_WEB_WORKERS", "2")
    server = subprocess.Popen(
        # The API alone: the worker's own figures come from bench/notifications.py.
        [
            str(Path(sys.executable).with_name("ordo")),
            "serve",
            "--port",
            str(port),
            "--workers",
            workers,
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    rows: list[Row] = []
    try:
        _wait_for(port)
        _load(port, token, 2, 1.0, "create")  # warm-up: imports, compiled workflows, connections
        best: dict[str, float] = {}
        for n in clients:
            for kind in ("create", "transition"):
                what = "order create" if kind == "create" else "transition"
                (rate, lat, errors), (bare, bare_lat, bare_errors), shares = _side_by_side(
                    port, token, n, seconds, kind
                )
                best[kind] = max(best.get(kind, 0.0), rate)
                _print_closed(what, n, rate, lat, errors)
                _print_closed(f"bare {kind}", n, bare, bare_lat, bare_errors)
                share = 100 * statistics.median(shares)
                each = ", ".join(f"{100 * x:.0f}" for x in shares)
                print(f"     {what} as a share of the bare Django view: {share:.0f} % (median of bursts: {each})")
                rows.append(Row(f"http {what} req/s, {n} clients", rate, "/s"))
                rows.append(Row(f"http {what} p99, {n} clients (closed loop, saturated)", _percentile(lat, 0.99), "ms"))
                rows.append(Row(f"  the bare Django view, {n} clients", bare, "/s"))
                rows.append(Row(f"  {what} as a share of it, median of 4 bursts (aim ≥ {aim} %)", share, "%"))
        # Open loop: a quarter, half, three quarters and all of the best closed-loop rate offered.
        for kind in ("create", "transition"):
            what = "order create" if kind == "create" else "transition"
            for share in (25, 50, 75, 100):
                offered = best[kind] * share / 100
                rate, lat, errors = _open_loop(port, token, offered, seconds, kind)
                p50, p99, p999 = (_percentile(lat, p) for p in (0.5, 0.99, 0.999))
                print(
                    f"http {what:<12} offered {offered:6.0f}/s ({share:>3} %): answered {rate:6.0f}/s  "
                    f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  p99.9 {p999:7.1f} ms  errors {errors}"
                )
                label = f"http {what}, open loop at {share} % of the best ({offered:,.0f}/s)"
                rows.append(Row(f"{label}: p50", p50, "ms"))
                rows.append(Row(f"{label}: p99", p99, "ms", 50 if share == 50 else 0, lower_is_better=True))
                rows.append(Row(f"{label}: p99.9", p999, "ms"))
                rows.append(Row(f"{label}: errors", errors, ""))
        rate, lat, errors = _webhooks(port, unpaid, 8, seconds)
        p50, p99 = _percentile(lat, 0.5), _percentile(lat, 0.99)
        print(f"http webhook        8 clients: {rate:7.0f} events/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ", end="")
        print(f"errors {errors}")
        rows.append(Row("signed Stripe webhooks/s, 8 senders", rate, "/s"))
        group = subprocess.run(["pgrep", "-g", str(server.pid)], capture_output=True, text=True)
        alive = [pid for pid in group.stdout.split() if Path(f"/proc/{pid}").exists()]
        worst = max((peak_rss_mib(pid) for pid in alive), default=0.0)
        rows.append(Row("peak memory of one server process", worst, "MiB"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return rows
