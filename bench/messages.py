"""Response-parser speed: how long `messages.parse_response` takes on a 100,000-character body.

One figure for bench.run (target: < 50 ms median), also runnable alone:

    python -m bench.messages          # prints the figure as JSON

Each run parses a body of a different shape (a platform fault JSON, a Xero XML exception, an exception dump with
an escaped document, a truncated JSON, a Python repr, plain text), every body unique so no cache helps.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from syncstatus.messages import parse_response

SIZE = 100_000


def _shapes(salt: int) -> list[tuple[str, str]]:
    detail = f"Invalid Reference Id : Line.SalesItemLineDetail.ItemRef {salt} "
    qbo = {"Fault": {"Error": [{"Message": "Invalid Reference Id", "Detail": detail * 3, "code": "2500"}] * 700,
                     "type": "ValidationFault"}}  # fmt: skip
    xero = ("<ApiException><ErrorNumber>10</ErrorNumber><Type>ValidationException</Type><Message>A validation "
            "exception occurred</Message><Elements>" + "<DataContractBase><ValidationErrors><ValidationError>"
            f"<Message>Account code '{salt}' is not a valid code</Message></ValidationError></ValidationErrors>"
            "</DataContractBase>" * 700 + "</Elements></ApiException>")  # fmt: skip
    dump = (f"Fatal error: Uncaught ServiceException: Http Status Code [400] (run {salt}) with body: [<?xml "
            'version="1.0"?><IntuitResponse><Fault type="ValidationFault">' + '<Error code="6240"><Message>Duplicate '
            "Name Exists Error</Message><Detail>The name supplied already exists.</Detail></Error>" * 700
            + "</Fault></IntuitResponse>]\nStack trace:\n" + "#0 /srv/app/Sync.php(12): post()\n" * 2000)  # fmt: skip
    truncated = json.dumps({"Elements": [{"ValidationErrors": [{"Message": f"Email address must be valid {salt}"}]}]
                            * 3000})  # fmt: skip
    literal = "{'error': [" + ", ".join([f"{{'errorno': 'BL01001973', 'description2': 'Could not create {salt}'}}"]
                                        * 1500) + "]}"  # fmt: skip
    text = f"Sync of document {salt} failed because the platform answered something nobody here has seen. " * 1500
    return [("qbo_fault_json", json.dumps(qbo)), ("xero_exception_xml", xero), ("exception_dump", dump),
            ("truncated_json", truncated), ("python_repr", literal), ("plain_text", text)]  # fmt: skip


def parse_100k_figure(repeats: int = 10) -> dict:
    """Median and p95 of parse_response over `repeats` rounds of every shape, each body SIZE characters."""
    samples: list[float] = []
    per_shape: dict[str, list[float]] = {}
    for salt in range(repeats + 1):
        for name, body in _shapes(salt):
            body = body[:SIZE].ljust(SIZE)
            t0 = time.perf_counter()
            parse_response(body, platform="qbo")
            elapsed = (time.perf_counter() - t0) * 1000
            if salt:  # round 0 warms up (imports, compiled patterns)
                samples.append(elapsed)
                per_shape.setdefault(name, []).append(elapsed)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return {
        "median_ms": round(statistics.median(samples), 2), "p95_ms": round(p95, 2), "runs": len(samples),
        "slowest_shape": max(per_shape, key=lambda n: statistics.median(per_shape[n])),
        "by_shape_median_ms": {n: round(statistics.median(v), 2) for n, v in per_shape.items()},
    }  # fmt: skip


if __name__ == "__main__":
    json.dump(parse_100k_figure(int(sys.argv[1]) if len(sys.argv) > 1 else 10), sys.stdout, indent=2)
    print()
