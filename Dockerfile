# syntax=docker/dockerfile:1
# Multi-stage build after dotnet-docker's aspnetapp sample. Not built on the project's build machines
# (no Docker engine there); keep it plain.

# openvidu-browser comes from npm, as in a local build.
FROM node:20-bookworm-slim AS web-deps
WORKDIR /src
COPY OpenViduServerSide/package.json OpenViduServerSide/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY OpenViduServerSide/OpenViduServerSide.csproj OpenViduServerSide/
RUN dotnet restore OpenViduServerSide/OpenViduServerSide.csproj -a $TARGETARCH
COPY OpenViduServerSide/ OpenViduServerSide/
COPY --from=web-deps /src/node_modules/openvidu-browser/static/js/openvidu-browser-*.min.js OpenViduServerSide/wwwroot/lib/openvidu-browser/openvidu-browser.min.js
RUN dotnet publish OpenViduServerSide/OpenViduServerSide.csproj -c Release -a $TARGETARCH --no-restore -o /app

# The front (docker compose --profile scale): YARP before several app instances. Built only as the target "front";
# the app's image below stays the default target.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS front-build
ARG TARGETARCH
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY OpenViduServerSide.Front/OpenViduServerSide.Front.csproj OpenViduServerSide.Front/
RUN dotnet restore OpenViduServerSide.Front/OpenViduServerSide.Front.csproj -a $TARGETARCH
COPY OpenViduServerSide.Front/ OpenViduServerSide.Front/
RUN dotnet publish OpenViduServerSide.Front/OpenViduServerSide.Front.csproj -c Release -a $TARGETARCH --no-restore -o /front

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS front
WORKDIR /app
COPY --from=front-build /front .
ENV ASPNETCORE_HTTP_PORTS=8080
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["./OpenViduServerSide.Front"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS app
WORKDIR /app
COPY --from=build /app .
# The SQLite file and the data-protection keys live on a volume owned by the non-root app user.
RUN mkdir -p /data/keys && chown -R $APP_UID /data
VOLUME /data
ENV ConnectionStrings__Default="Data Source=/data/openvidu-server-side.db" \
    DataProtection__KeysPath=/data/keys \
    ASPNETCORE_HTTP_PORTS=8080
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["./OpenViduServerSide"]
