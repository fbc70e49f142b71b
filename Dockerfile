# syntax=docker/dockerfile:1
# HaiLong container image (multi-stage).
#   docker build -t hailong .
#   docker run -p 8080:8080 -e DATABASE_URL='postgres://user:pass@db:5432/hailong?sslmode=prefer' hailong
# DATABASE_URL must be set in containers: the embedded PostgreSQL (used when it is
# unset) needs the PostgreSQL server binaries, which are not in this image.
# Untested by a real `docker build` on the project's build machine (no container engine runs there); linted by
# hadolint in deploy/test-config.sh, and deploy/k8s/ runs exactly this image's entry point.

# ---- build stage ----
FROM swift:6.3-bookworm AS build
WORKDIR /src

# Resolve dependencies first so this layer is cached until Package.swift changes.
# (Package.resolved is optional: the wildcard copies it only when present.)
COPY Package.swift Package.resolved* ./
RUN swift package resolve

# Tests/ is copied too: SwiftPM wants every declared target's directory to exist.
COPY Sources ./Sources
COPY Tests ./Tests
COPY sql ./sql
RUN swift build -c release --product hailong --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/hailong" /staging/hailong \
    && cp -R "$(swift build -c release --show-bin-path)/HaiLong_HaiLongWeb.resources" /staging/

# ---- runtime stage ----
FROM debian:bookworm-slim

# ca-certificates: TLS to PostgreSQL; tzdata: period boundaries (Asia/Ho_Chi_Minh);
# curl: HEALTHCHECK. Not pinned to versions: bookworm's security updates replace them, and a pinned version that
# has been replaced fails the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 hailong \
    && useradd --system --uid 10001 --gid hailong --home-dir /var/lib/hailong \
       --shell /usr/sbin/nologin hailong \
    && install -d -o hailong -g hailong -m 0750 /var/lib/hailong

COPY --from=build /staging/hailong /app/hailong
# The web target's resource bundle (OpenAPI document, templates, kiosk files, translations) sits beside the binary.
COPY --from=build /staging/HaiLong_HaiLongWeb.resources /app/HaiLong_HaiLongWeb.resources
COPY --from=build /src/sql /app/sql

ENV HAILONG_SQL_DIR=/app/sql \
    HAILONG_HOST=0.0.0.0 \
    HAILONG_PORT=8080 \
    HAILONG_DATA_DIR=/var/lib/hailong

WORKDIR /var/lib/hailong
# Numeric, so that Kubernetes' runAsNonRoot can check it (deploy/k8s/deployment.yaml runs it as 10001 too).
USER 10001:10001
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["sh", "-c", "curl -fsS \"http://127.0.0.1:${HAILONG_PORT:-8080}/healthz\" || exit 1"]

ENTRYPOINT ["/app/hailong"]
CMD ["serve"]
