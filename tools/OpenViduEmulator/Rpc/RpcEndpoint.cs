using OpenViduEmulator.State;

namespace OpenViduEmulator.Rpc;

/// <summary>The browser endpoint: WebSocket JSON-RPC 2.0 on /openvidu (contract §3.1).</summary>
internal static class RpcEndpoint
{
    public static void MapOpenViduRpc(this IEndpointRouteBuilder app, EmulatorEngine engine, ILoggerFactory loggerFactory)
    {
        var dispatcher = new RpcDispatcher(engine, loggerFactory.CreateLogger<RpcDispatcher>());
        app.Map("/openvidu", async ctx =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsync("Can \"Upgrade\" only to \"WebSocket\".");
                return;
            }

            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var peer = new RpcPeer(ctx, socket);
            engine.AddPeer(peer);
            try
            {
                await peer.RunAsync(dispatcher.Handle);
            }
            finally
            {
                engine.OnPeerClosed(peer);
            }
        });

        app.MapGet("/openvidu/accept-certificate", () => Results.Content(
            "<!DOCTYPE html><html><body><h1>OpenVidu emulator</h1><p>Certificate accepted.</p></body></html>", "text/html"));
    }
}
