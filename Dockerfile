# integrationsd container image.
#   docker build -t integrationsd .
#   docker run -d -p 8080:8080 -v integrationsd-data:/data integrationsd
# Any bookworm-based image can stand in for the base: tests/docker/run.sh builds with
# --build-arg BASE_IMAGE=<a locally imported debootstrap rootfs> because it has no registry.
# (No "# syntax=" line on purpose: it would make BuildKit pull a frontend image.)
ARG BASE_IMAGE=debian:bookworm-slim

# --- build: the project's own package list and Makefile ------------------------------------
FROM ${BASE_IMAGE} AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN sh scripts/deps.sh build && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY Makefile ./
COPY scripts/ scripts/
COPY sql/ sql/
COPY include/ include/
COPY src/ src/
COPY ui/ ui/
COPY openapi.json ./
RUN make -j"$(nproc)" build/integrationsd \
 && strip --strip-unneeded build/integrationsd \
 && ./build/integrationsd --version

# --- runtime: the shared libraries, CA certificates, the binary, nothing else ----------------
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libsqlite3-0 libuuid1 libcurl4 libssl3 ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
 && groupadd --system --gid 10001 integrationsd \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin integrationsd \
 && mkdir -p /data && chown 10001:10001 /data && chmod 0750 /data
COPY --from=build /src/build/integrationsd /usr/local/bin/integrationsd

# Every flag is also an environment variable INTEGRATIONSD_<FLAG>; the command line wins.
# Inside the container the server listens on every interface (publish it with -p 8080:8080).
ENV INTEGRATIONSD_BIND=0.0.0.0 \
    INTEGRATIONSD_PORT=8080 \
    INTEGRATIONSD_DB=/data/integrationsd.db
# A named volume starts as a copy of this folder: owned by uid 10001. A bind-mounted host
# folder must be writable by uid 10001 (chown 10001 DIR).
VOLUME /data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
# Asks GET /health of the server the same flags/env describe (0.0.0.0 is asked via 127.0.0.1).
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/integrationsd", "--healthcheck"]
ENTRYPOINT ["/usr/local/bin/integrationsd"]
