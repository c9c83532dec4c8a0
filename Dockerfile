FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var
WORKDIR /app
# WeasyPrint (PDF case files) draws with Pango; fonts for its text: DejaVu, and Droid Sans
# Fallback for Chinese, Japanese and Korean (a foreign affiliate's or a person's name).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core fonts-droid-fallback \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY config ./config
COPY compliance ./compliance
COPY accounts ./accounts
COPY incidents ./incidents
COPY reports ./reports
COPY notifications ./notifications
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir . && mkdir -p /app/var/media \
    && DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input
RUN useradd --system --home /app pes && chown -R pes /app/var
USER pes
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py"]
