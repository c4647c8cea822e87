namespace OpenViduServerSide.Data;

/// <summary>One chat message of a call, kept so that someone who joins late or reloads sees the conversation so far.</summary>
public sealed class ChatMessage
{
    public const int TextMaxLength = 500;

    public long Id { get; set; }

    /// <summary>The directory's call id (<see cref="CallRecord.Id"/>); no foreign key, since the history writer may add the call later.</summary>
    public Guid CallId { get; set; }

    public DateTime SentAt { get; set; }

    public required string UserName { get; set; }

    public required string Nickname { get; set; }

    public required string Text { get; set; }
}
