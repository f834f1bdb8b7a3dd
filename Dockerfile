# Build a static binary, then ship it alone. Scenarios and personas are
# embedded, so nothing else is copied; mount a directory and pass
# --scenarios to add your own.
FROM golang:1.24-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /moneykit-mock .

FROM scratch
COPY --from=build /moneykit-mock /moneykit-mock
USER 65534:65534
# In a container the mock must listen beyond loopback to be reachable.
ENV MOCK_ADDR=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/moneykit-mock"]
