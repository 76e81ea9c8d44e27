# The registry's image: dependencies and static files are built in; a container downloads nothing when it starts.
#   docker build -t registry .
#   docker run --env-file .env -p 127.0.0.1:8000:8000 registry            (scripts/start: migrate, seed, gunicorn)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHON=python \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app

# The chart's PDF (CairoSVG) draws with the system's cairo and needs fonts with Vietnamese letters (Debian packages).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Pinned runtime dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files (admin, Swagger UI, ReDoc) collected and compressed at build time. The throwaway key is only for this
# build step (collectstatic signs nothing) and is not kept in the image's environment.
RUN DEBUG=0 SECRET_KEY=image-build-only-not-a-secret python manage.py collectstatic --noinput -v0 \
    && useradd --system --uid 10001 --home-dir /app --no-create-home registry \
    && chown -R registry:registry /app/staticfiles

USER registry
EXPOSE 8000

# The same probe as docker-compose's: the database answers and every migration is applied.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["scripts/start"]
CMD ["all"]
