using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenViduEmulator.Tests.Infrastructure;

/// <summary>Real HTTP against an in-process emulator, as the app's OpenVidu client does it.</summary>
internal static class EmulatorHttp
{
    public static HttpClient Client(OpenViduEmulatorServer emulator, string? secret = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("OPENVIDUAPP:" + (secret ?? emulator.Secret))));
        return client;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();

    public static async Task<string> ReadTextAsync(this HttpResponseMessage response) =>
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

    public static async Task<string> CreateSessionAsync(this HttpClient client, string? customSessionId = null)
    {
        var body = customSessionId is null ? "{}" : $$"""{"customSessionId":"{{customSessionId}}"}""";
        using var response = await client.PostJsonAsync("openvidu/api/sessions", body);
        response.EnsureSuccessStatusCode();
        return (string)(await response.ReadObjectAsync())["id"]!;
    }

    /// <summary>Creates a connection and returns (connectionId, token).</summary>
    public static async Task<(string ConnectionId, string Token)> CreateConnectionAsync(this HttpClient client, string sessionId, string role = "PUBLISHER", string data = "")
    {
        using var response = await client.PostJsonAsync($"openvidu/api/sessions/{sessionId}/connection", $$"""{"role":"{{role}}","data":"{{data}}"}""");
        response.EnsureSuccessStatusCode();
        var json = await response.ReadObjectAsync();
        return ((string)json["id"]!, (string)json["token"]!);
    }

    public static IReadOnlyList<string> Keys(this JsonObject json) => [.. json.Select(p => p.Key)];
}
