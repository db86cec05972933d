# newsbot: one image for every role (`newsbot run --role ...`).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --system --uid 10001 newsbot && mkdir /data && chown newsbot /data
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .
COPY config ./config
COPY seeds ./seeds
USER newsbot
ENV NEWSBOT_DATABASE_URL=sqlite+aiosqlite:////data/newsbot.db NEWSBOT_METRICS_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 9108
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:9108/healthz', timeout=4)" || exit 1
ENTRYPOINT ["newsbot"]
CMD ["run"]
