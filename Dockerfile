# Images for docker-compose.yml: target "silo" (the OrleansExport host alone: neither the simulator nor the demo)
# and target "simulator".
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/OrleansExport.Silo -c Release -o /app/silo \
 && dotnet publish src/OrleansExport.Simulator -c Release -o /app/simulator

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# curl serves the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM runtime AS silo
COPY --from=build /app/silo .
ENTRYPOINT ["dotnet", "OrleansExport.Silo.dll"]

FROM runtime AS simulator
COPY --from=build /app/simulator .
ENTRYPOINT ["dotnet", "OrleansExport.Simulator.dll"]
