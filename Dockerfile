# StageFit web service. Build: docker build -t stagefit .
# Run:   docker run -p 8000:8000 -e STAGEFIT_ENV=production \
#          -e STAGEFIT_SECRET_KEY=... -e STAGEFIT_BASE_URL=https://stagefit.example.com \
#          -e STAGEFIT_DATABASE_URL=postgresql+psycopg://user:pass@db/stagefit stagefit
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the PDF reports with Pango/HarfBuzz; DejaVu is the fallback font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The package and its dependencies (README.md: the package metadata reads it).
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .

# Data the code finds next to the app/ directory: migrations, instruments, report templates.
COPY alembic.ini ./
COPY migrations ./migrations
COPY questionnaires ./questionnaires
COPY report_templates ./report_templates

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin stagefit \
 && mkdir -p /app/var \
 && chown -R stagefit:stagefit /app/var
USER stagefit

# `pip install .` brings the dependencies and the `stagefit` command; PYTHONPATH makes the
# code run from /app/app, so the directories above are found beside it as in a checkout.
ENV PYTHONPATH=/app \
    STAGEFIT_QUESTIONNAIRES_DIR=/app/questionnaires \
    STAGEFIT_VAR_DIR=/app/var
VOLUME ["/app/var"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["sh", "-c", "stagefit db upgrade && exec stagefit serve --host 0.0.0.0 --port 8000"]
