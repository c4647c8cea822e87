namespace OpenViduServerSide.Data;

/// <summary>One change made on the admin pages: who did what to whom, and when (UTC).</summary>
public sealed class AuditEntry
{
    public const int NameMaxLength = 256;
    public const int ActionMaxLength = 64;
    public const int DetailsMaxLength = 1024;

    public long Id { get; set; }

    public DateTime At { get; set; }

    public string Actor { get; set; } = "";

    public string Action { get; set; } = "";

    public string Target { get; set; } = "";

    public string? Details { get; set; }
}
