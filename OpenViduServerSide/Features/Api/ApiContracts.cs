using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenViduServerSide.Features.Api;

/// <summary>Body of <c>POST /api/sessions/{name}/connections</c>. <c>kind</c> is <c>camera</c> (the default) or <c>screen</c>.</summary>
public sealed record CreateConnectionRequest(string? Nickname, string? Kind);

/// <summary>What a client needs to join: pass <see cref="Token"/> to openvidu-browser's <c>session.connect</c>.</summary>
public sealed record CreateConnectionResponse(string SessionId, string ConnectionId, string Token, string Role);

/// <summary>Body of <c>POST /api/auth/token</c>.</summary>
public sealed record TokenRequest(string? UserName, string? Password);

/// <summary>Body of <c>POST /api/auth/refresh</c>: the <c>refreshToken</c> of an earlier token response.</summary>
public sealed record RefreshTokenRequest(string? RefreshToken);

/// <summary>Wire types of the API, source-generated (camelCase, as ASP.NET Core's web defaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateConnectionRequest))]
[JsonSerializable(typeof(CreateConnectionResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(RefreshTokenRequest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
