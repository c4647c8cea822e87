using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenViduEmulator.Rest;

/// <summary>The request body as OpenVidu parses it: an optional JSON object whose values are type-checked one by one.</summary>
internal sealed class RequestBody
{
    private readonly JsonObject json;

    private RequestBody(JsonObject json) => this.json = json;

    /// <summary>Reads the body; null when it is not a JSON object (the caller answers 400).</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new RequestBody([]);
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject json ? new RequestBody(json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public bool Has(string key) => json[key] is not null;

    /// <summary>False when the key is present with a non-string value.</summary>
    public bool TryString(string key, out string? value)
    {
        value = null;
        var node = json[key];
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            value = v.GetValue<string>();
            return true;
        }

        return false;
    }

    public bool TryBool(string key, out bool? value)
    {
        value = null;
        var node = json[key];
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            value = v.GetValue<bool>();
            return true;
        }

        return false;
    }

    public bool TryLong(string key, out long? value)
    {
        value = null;
        var node = json[key];
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var number))
        {
            value = number;
            return true;
        }

        return false;
    }

    public bool TryObject(string key, out JsonObject? value)
    {
        value = null;
        var node = json[key];
        if (node is null)
        {
            return true;
        }

        value = node as JsonObject;
        return value is not null;
    }

    public bool TryArray(string key, out JsonArray? value)
    {
        value = null;
        var node = json[key];
        if (node is null)
        {
            return true;
        }

        value = node as JsonArray;
        return value is not null;
    }
}
