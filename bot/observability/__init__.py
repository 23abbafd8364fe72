"""Operations: Prometheus metrics, request ids in JSON logs, and the /readyz and /metrics routes."""
