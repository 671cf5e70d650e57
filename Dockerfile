# syntax=docker/dockerfile:1
# docker build --build-arg VERSION=$(git describe --tags --always) -t plusvibe-slack-bot .
# The build line below is also run by CI and by the tests (deploy_test.go), so
# the binary they check is the one this image ships.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/plusvibe-slack-bot .

# Static binary on distroless: CA certificates and a non-root user, no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/plusvibe-slack-bot /plusvibe-slack-bot
USER nonroot:nonroot
# HTTP_ADDR's default: /healthz, /readyz, /metrics.
EXPOSE 8080
ENTRYPOINT ["/plusvibe-slack-bot"]
