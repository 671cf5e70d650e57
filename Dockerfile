# syntax=docker/dockerfile:1
# docker build --build-arg VERSION=$(git describe --tags --always) --build-arg REVISION=$(git rev-parse HEAD) -t plusvibe-slack-bot:1.0.0 .
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 … (Go cross-compiles; no emulation).
# The build line below is also run by CI and by the tests (deploy_test.go), so
# the binary they check is the one this image ships; buildcontext_test.go runs
# it on a copy of the build context as .dockerignore leaves it.
FROM --platform=$BUILDPLATFORM golang:1.26.8 AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/plusvibe-slack-bot .

# Static binary on distroless: CA certificates and a non-root user, no shell.
# Distroless publishes no version tags: nonroot follows Debian 12's security
# updates, so rebuild to pick them up.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
# No licence has been chosen for this project yet: NOASSERTION, in SPDX's words.
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="plusvibe-slack-bot" \
      org.opencontainers.image.description="Create PlusVibe client logins from Slack" \
      org.opencontainers.image.source="https://github.com/plusvibe-slack-bot/plusvibe-slack-bot" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="${LICENSES}"
COPY --from=build /out/plusvibe-slack-bot /plusvibe-slack-bot
# distroless's "nonroot", by number, so that runAsNonRoot can verify it.
USER 65532:65532
# HTTP_ADDR's default: /healthz, /readyz, /metrics.
EXPOSE 8080
# No shell in the image: the binary probes itself (needs HTTP_ADDR on).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/plusvibe-slack-bot", "--healthcheck"]
ENTRYPOINT ["/plusvibe-slack-bot"]
