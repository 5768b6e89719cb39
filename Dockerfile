# Plenary: one static binary with the web app embedded. frontend/dist is committed, so the build
# needs only Go.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/plenary .

FROM debian:bookworm-slim
# Report exports: pandoc makes DOCX files, headless Chromium prints PDFs (Noto for Arabic and other
# scripts).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    pandoc chromium fonts-noto-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/plenary --create-home plenary
COPY --from=build /out/plenary /usr/local/bin/plenary
USER plenary
ENV PLENARY_ADDR=0.0.0.0:8080 \
    PLENARY_DATA_DIR=/var/lib/plenary
VOLUME /var/lib/plenary
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/plenary"]
