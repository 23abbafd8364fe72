# syntax=docker/dockerfile:1
# Wegwijs bot: Telegram webhook, dashboard, /healthz, /readyz, /metrics (`wegwijs serve`).
# Build: docker build -t wegwijs-bot .   Run it with compose.yaml (see docs/operations.md).

# --- build: the package in a virtual environment, the content checked and compiled ----------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /opt/venv/bin/pip install --no-compile . \
 && /opt/venv/bin/python -m compileall -q -j 0 /opt/venv/lib
COPY knowledge ./knowledge
COPY dialogues ./dialogues
COPY locales ./locales
# The compile step: refuse content with errors, then read every PO file once so the JSON
# catalogue caches beside them ship in the image (start-up then skips Babel's slow parser).
RUN WEGWIJS_CONTENT_DIR=/src /opt/venv/bin/wegwijs content check \
 && WEGWIJS_CONTENT_DIR=/src /opt/venv/bin/python -c \
    "from bot.app import load_everything; load_everything()" \
 && mkdir /app \
 && cp -a knowledge dialogues locales /app/ \
 && rm -rf /app/dialogues/nlu/test

# --- runtime: slim, non-root, read-only friendly --------------------------------------------
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WEGWIJS_CONTENT_DIR=/app \
    HOST=0.0.0.0 \
    PORT=8080 \
    LOG_JSON=1 \
    WEB_CONCURRENCY=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/wegwijs-metrics
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/wegwijs wegwijs
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY docker/entrypoint.sh /usr/local/bin/wegwijs-entrypoint
COPY docker/healthcheck.py /usr/local/bin/wegwijs-healthcheck
USER 10001:10001
WORKDIR /home/wegwijs
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/usr/local/bin/wegwijs-healthcheck"]
ENTRYPOINT ["wegwijs-entrypoint"]
CMD ["serve"]
