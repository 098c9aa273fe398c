# kommune-etl image: the package and its locked dependencies, nothing else.
FROM python:3.11-slim
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy PYTHONUNBUFFERED=1 \
    KOMMUNE_ETL_DB=/data/warehouse/warehouse.duckdb
RUN pip install --no-cache-dir uv
WORKDIR /opt/kommune-etl
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project --compile-bytecode
COPY kommune_etl ./kommune_etl
COPY extractors ./extractors
COPY transforms ./transforms
COPY warehouse ./warehouse
COPY quality ./quality
COPY dags ./dags
RUN uv sync --frozen --no-dev --compile-bytecode
ENV PATH=/opt/kommune-etl/.venv/bin:$PATH
VOLUME ["/data/inbox", "/data/warehouse", "/data/warehouse/raw", "/data/reports"]
ENTRYPOINT ["kommune-etl"]
CMD ["ingest", "/data/inbox"]
