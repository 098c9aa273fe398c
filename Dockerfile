# kommune-etl image: the package and its locked dependencies, Tesseract with Norwegian for scanned pages, run as a
# non-root user. docker-compose.yml runs Airflow and the CLI from it; tests/test_contract.py checks both files.
FROM python:3.11-slim
# OCR (extractors/ocr.py): tesseract-ocr + tesseract-ocr-nor, the packages scripts/install-system-deps.sh installs
# for it; pages are rendered with pypdfium2 (a wheel), so no poppler
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-nor \
    && rm -rf /var/lib/apt/lists/* \
    && tesseract --list-langs | grep -qx nor
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1 PYTHONUNBUFFERED=1 \
    KOMMUNE_ETL_DB=/data/warehouse/warehouse.duckdb KOMMUNE_ETL_OCR_CACHE=/data/cache/ocr
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /opt/kommune-etl
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra airflow --no-install-project --compile-bytecode
COPY kommune_etl ./kommune_etl
COPY extractors ./extractors
COPY transforms ./transforms
COPY warehouse ./warehouse
COPY quality ./quality
COPY dags ./dags
RUN uv sync --frozen --no-dev --extra airflow --compile-bytecode
ENV PATH=/opt/kommune-etl/.venv/bin:$PATH AIRFLOW_HOME=/opt/airflow HOME=/opt/airflow
# The user of Airflow's own image: uid 50000, group 0. Its folders are group-writable, so the uid compose runs the
# services as ($AIRFLOW_UID, group 0) can write them too; the code and its environment stay root's, read-only.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --no-create-home --shell /bin/bash kommune \
    && mkdir -p /opt/airflow/logs /opt/airflow/secrets /data/inbox /data/warehouse/raw /data/reports /data/cache/ocr \
    && chown -R 50000:0 /opt/airflow /data \
    && chmod -R g+rwX /opt/airflow /data
USER 50000
VOLUME ["/data/inbox", "/data/warehouse", "/data/warehouse/raw", "/data/reports", "/data/cache"]
ENTRYPOINT ["kommune-etl"]
CMD ["ingest", "/data/inbox"]
