using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// The peer the bench measures the app against: what OpenVidu's official minimal .NET backend (openvidu-tutorials
// v2.32.2, openvidu-basic-dotnet/Program.cs) does, request for request, written from its behaviour:
// - POST /api/sessions forwards the body to OpenVidu's POST /openvidu/api/sessions and answers the session id (on 409,
//   the customSessionId of the body it forwarded);
// - POST /api/sessions/{sessionId}/connections forwards the body to POST /openvidu/api/sessions/{sessionId}/connection
//   and answers the token as text;
// - one HttpClient for the process (a plain handler that accepts any certificate) with OpenVidu's Basic credentials as a
//   default header; the JSON answers are read as Dictionary<string, object>, as there;
// - CORS for any origin and header; no authentication, no state, no rate limits, no logging per request.
// Its settings are OPENVIDU_URL and OPENVIDU_SECRET (appsettings.json, then environment variables).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCors(cors => cors.AddPolicy("any-origin", policy => policy.WithOrigins("*").AllowAnyHeader()));

var app = builder.Build();
app.UseCors("any-origin");

var openViduUrl = app.Configuration["OPENVIDU_URL"] ?? throw new InvalidOperationException("OPENVIDU_URL is not set.");
var openViduSecret = app.Configuration["OPENVIDU_SECRET"] ?? throw new InvalidOperationException("OPENVIDU_SECRET is not set.");
#pragma warning disable CA2000, CA5359, CA5400 // One client for the process's lifetime; the tutorial accepts self-signed OpenVidu certificates.
var openVidu = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
{
    BaseAddress = new Uri(openViduUrl),
};
#pragma warning restore CA2000, CA5359, CA5400
openVidu.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"OPENVIDUAPP:{openViduSecret}")));

app.MapPost("/api/sessions", async (HttpRequest request) =>
{
    var body = await ReadBodyAsync(request);
    using var response = await openVidu.PostAsync(new Uri("openvidu/api/sessions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
    if (response.StatusCode == HttpStatusCode.Conflict)
    {
        // The session exists already: its id is the one asked for.
        return JsonSerializer.Deserialize<Dictionary<string, object>>(body)!["customSessionId"];
    }

    response.EnsureSuccessStatusCode();
    var answer = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
    return (object)answer!["sessionId"].ToString()!.Trim('"');
});

app.MapPost("/api/sessions/{sessionId}/connections", async (HttpRequest request, string sessionId) =>
{
    var body = await ReadBodyAsync(request);
    using var response = await openVidu.PostAsync(new Uri($"openvidu/api/sessions/{sessionId.Trim('"')}/connection", UriKind.Relative),
        new StringContent(body, Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    var answer = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
    return answer!["token"].ToString()!.Trim('"');
});

await app.RunAsync();

// The body as a string, through a StreamContent over the request body (as there).
static async Task<string> ReadBodyAsync(HttpRequest request)
{
    using var content = new StreamContent(request.Body);
    return await content.ReadAsStringAsync();
}
