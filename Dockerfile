# Wegwijs bot: webhook + dashboard (`wegwijs serve`) or polling (`wegwijs telegram`).
# Build stage: install the package into a virtual environment and pre-compile the catalogues.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN /opt/venv/bin/pip install .
COPY knowledge ./knowledge
COPY dialogues ./dialogues
COPY locales ./locales
# Validates the content and writes the catalogue caches next to the PO files, so start-up
# in the runtime image does not parse PO files.
RUN WEGWIJS_CONTENT_DIR=/app /opt/venv/bin/wegwijs content status > /dev/null \
 && WEGWIJS_CONTENT_DIR=/app /opt/venv/bin/python -c "from bot.app import load_everything; load_everything()"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WEGWIJS_CONTENT_DIR=/app \
    DATABASE_URL=sqlite+aiosqlite:////data/wegwijs.db \
    HOST=0.0.0.0 \
    PORT=8080
RUN useradd --create-home --uid 10001 wegwijs && mkdir /data && chown wegwijs /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app/knowledge /app/knowledge
COPY --from=build --chown=root:root /app/dialogues /app/dialogues
COPY --from=build --chown=root:root /app/locales /app/locales
USER wegwijs
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["wegwijs", "health"]
CMD ["wegwijs", "run"]
