"""Parses a Prometheus text-format scrape (stdin) with the Prometheus project's own Python parser and prints its
metric families as JSON (stdout): [{"name", "type", "samples": [{"name", "labels", "value"}]}]. A scrape the parser
refuses exits 1 with the parser's message. Used by OperationsIT."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    families = [{"name": f.name, "type": f.type,
                 "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                for f in text_string_to_metric_families(sys.stdin.read())]
except Exception as e:  # the parser's ValueError, or anything it raises on a malformed line
    print(f"not Prometheus text format: {e}", file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout)
