# syntax=docker/dockerfile:1
# The Rasa NLU service: the official Rasa 3.6.21 image with the Wegwijs model trained at build
# time from dialogues/nlu (the held-out test/ split is left out, as `wegwijs nlu train` does).
# Build from the repository root: docker build -f docker/rasa.Dockerfile -t wegwijs-rasa .

# --- the training input, prepared by the same code as `wegwijs nlu train` --------------------
FROM python:3.11-slim-bookworm AS data
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN pip install "PyYAML==6.0.2" "httpx==0.28.1"
COPY bot ./bot
COPY dialogues ./dialogues
COPY docker/rasa/prepare.py ./prepare.py
RUN WEGWIJS_CONTENT_DIR=/src PYTHONPATH=/src python prepare.py /nlu

# --- the model: trained in the official image, served by it ---------------------------------
FROM rasa/rasa:3.6.21
ENV RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    PYTHONHASHSEED=0 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
WORKDIR /app
COPY --from=data /nlu /app/nlu
# Trained as root (whatever the image's folder permissions), served as Rasa's user 1001.
USER 0
RUN rasa train nlu --nlu /app/nlu/data --config /app/nlu/config.yml \
        --out /app/models --fixed-model-name wegwijs-nlu \
 && rm -rf /app/.rasa /app/nlu \
 && chown -R 1001:0 /app/models
USER 1001
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
CMD ["run", "--enable-api", "--model", "/app/models/wegwijs-nlu.tar.gz", "--interface", "0.0.0.0", "--port", "5005"]
