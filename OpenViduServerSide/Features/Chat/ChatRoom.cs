using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenViduServerSide.Data;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.OpenVidu;

namespace OpenViduServerSide.Features.Chat;

/// <summary>
/// The chat of every call. A message goes through the server, which checks it (the sender is in the call, the text is
/// plain and short, the sender is not flooding), stores it with the call's history and only then delivers it with
/// OpenVidu's signal API, so any OpenVidu client in the session receives it and a late joiner reads it from here.
/// </summary>
public sealed partial class ChatRoom(
    CallDirectory directory,
    OpenViduClient openVidu,
    IDbContextFactory<ApplicationDbContext> contexts,
    TimeProvider clock,
    ILogger<ChatRoom> logger)
{
    /// <summary>The signal type (with the "signal:" prefix browser listeners need, contract P8).</summary>
    public const string SignalType = "signal:chat";

    public const int MaxLength = ChatMessage.TextMaxLength;

    /// <summary>How much of a conversation a page loads when it joins.</summary>
    public const int HistoryLimit = 500;

    // A person may send MessagesPerWindow messages in any Window: enough to talk, too few to flood a call.
    internal const int MessagesPerWindow = 10;
    internal static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> recentSends = new(StringComparer.Ordinal);

    public async Task<ChatSendResult> SendAsync(ClaimsPrincipal sender, string sessionName, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var clean = Clean(text);
        if (clean.Length == 0)
        {
            return new(null, "Write a message first.");
        }

        if (clean.Length > MaxLength)
        {
            return new(null, $"Keep messages to {MaxLength} characters or fewer.");
        }

        // The sender's camera connection in the call says who they are there (their screen share has the same nickname).
        var me = sender.Identity?.Name is { } name
            ? directory.GetParticipants(sessionName).Where(p => p.UserName == name && p.IsActive).OrderBy(p => p.Kind).FirstOrDefault()
            : null;
        if (me is null)
        {
            return new(null, "You can only write in a call you are in.");
        }

        var now = clock.GetUtcNow();
        if (!TryTakeSendSlot(me.UserName, now))
        {
            LogFlooding(me.UserName, sessionName);
            return new(null, "You are sending messages too fast. Wait a few seconds.");
        }

        var line = await StoreAsync(me, clean, now, cancellationToken);
        try
        {
            await openVidu.SignalAsync(new SignalRequest(sessionName, Type: SignalType, Data: line.ToJson()), cancellationToken);
            return new(line, null);
        }
        catch (Exception e) when (e is OpenViduException or OpenViduUnavailableException)
        {
            LogDeliveryFailed(e, sessionName);
            return new(line, null, "Your message was saved, but the video server did not pass it on: others see it when they reload.");
        }
    }

    /// <summary>The conversation so far (the latest <see cref="HistoryLimit"/> lines, oldest first).</summary>
    public async Task<IReadOnlyList<ChatLine>> ReadAsync(Guid callId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.ChatMessages.AsNoTracking().Where(m => m.CallId == callId)
            .OrderByDescending(m => m.Id).Take(HistoryLimit).ToListAsync(cancellationToken);
        return [.. latest.OrderBy(m => m.Id).Select(ToLine)];
    }

    private async Task<ChatLine> StoreAsync(Participant me, string text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Whole microseconds: PostgreSQL keeps no finer time, and the line sent now must equal the one a late joiner reads.
        var sentAt = now.UtcDateTime.AddTicks(-(now.UtcDateTime.Ticks % TimeSpan.TicksPerMicrosecond));
        var message = new ChatMessage { CallId = me.CallId, SentAt = sentAt, UserName = me.UserName, Nickname = me.Nickname, Text = text };
        db.ChatMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);
        return ToLine(message);
    }

    private static ChatLine ToLine(ChatMessage m) => new(m.Id, new DateTimeOffset(m.SentAt, TimeSpan.Zero), m.UserName, m.Nickname, m.Text);

    /// <summary>Trimmed, line breaks kept (at most two in a row), every other control character dropped.</summary>
    internal static string Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }

        var kept = new string([.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Where(c => c == '\n' || !char.IsControl(c))]).Trim();
        while (kept.Contains("\n\n\n", StringComparison.Ordinal))
        {
            kept = kept.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        }

        return kept;
    }

    private bool TryTakeSendSlot(string userName, DateTimeOffset now)
    {
        var sends = recentSends.GetOrAdd(userName, _ => new Queue<DateTimeOffset>());
        lock (sends)
        {
            while (sends.Count > 0 && now - sends.Peek() >= Window)
            {
                sends.Dequeue();
            }

            if (sends.Count >= MessagesPerWindow)
            {
                return false;
            }

            sends.Enqueue(now);
            return true;
        }
    }

    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "Chat: {UserName} is sending too fast in {SessionName}; a message was refused")]
    private partial void LogFlooding(string userName, string sessionName);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Chat: a stored message of {SessionName} could not be signalled through OpenVidu")]
    private partial void LogDeliveryFailed(Exception exception, string sessionName);
}
