using System.Security.Claims;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenViduServerSide.Data;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Features.Directory;
using OpenViduServerSide.Features.Chat;
using OpenViduServerSide.Features.History;
using OpenViduServerSide.OpenVidu;
using OpenViduServerSide.Tests.Infrastructure;

namespace OpenViduServerSide.Tests.Features.Chat;

/// <summary>The chat through the server: checked, stored, delivered with OpenVidu's signal to every socket in the call.</summary>
public class ChatRoomTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private readonly TestDatabase kind;
    private EmulatedApp app = default!;

    public ChatRoomTests()
        : this(TestDatabase.Sqlite)
    {
    }

    /// <summary>The same tests on another engine (<see cref="PostgreSqlChatRoomTests"/>).</summary>
    protected ChatRoomTests(TestDatabase kind) => this.kind = kind;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CallDirectory Directory => app.Get<CallDirectory>();

    private ConnectionIssuer Issuer => app.Get<ConnectionIssuer>();

    private ChatRoom Chat => app.Get<ChatRoom>();

    public async ValueTask InitializeAsync() => app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Webhooks = true, Database = kind });

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static ClaimsPrincipal User(string name) => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test"));

    private Task<(IssuedConnection Issued, OpenViduRpcClient Tab)> JoinAsync(string session, string user, string nickname) =>
        app.JoinOverRpcAsync(session, user, nickname);

    private static ChatLine? ChatOf(System.Text.Json.Nodes.JsonObject notification) =>
        notification["params"]!["type"]!.GetValue<string>() == ChatRoom.SignalType ? ChatLine.FromJson(notification["params"]!["data"]!.GetValue<string>()) : null;

    [Fact]
    public async Task A_message_is_stored_and_reaches_every_socket_in_the_call_as_a_chat_signal_from_the_server()
    {
        var (_, aliceTab) = await JoinAsync("Class", "publisher1", "Alice");
        var (_, bobTab) = await JoinAsync("Class", "publisher2", "Bob");

        var result = await Chat.SendAsync(User("publisher1"), "Class", "  Hello <b>everyone</b>\u0007 https://example.org/x  ", Ct);

        Assert.True(result.Sent, result.Refusal);
        Assert.Null(result.Warning);
        foreach (var tab in new[] { aliceTab, bobTab })
        {
            var signal = await tab.WaitForNotificationAsync(n => n["method"]!.GetValue<string>() == "sendMessage", Wait, Ct);
            Assert.Equal("", signal["params"]!["from"]?.GetValue<string>() ?? "");
            var line = ChatOf(signal)!;
            Assert.Equal(result.Line, line);
            Assert.Equal(("publisher1", "Alice", "Hello <b>everyone</b> https://example.org/x"), (line.UserName, line.Nickname, line.Text));
        }

        var callId = Directory.GetParticipants("Class")[0].CallId;
        Assert.Equal([result.Line!], await Chat.ReadAsync(callId, Ct));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        Assert.Equal(callId, (await db.ChatMessages.SingleAsync(Ct)).CallId);
    }

    [Fact]
    public async Task A_late_joiner_reads_the_conversation_so_far_in_order_and_another_call_with_the_same_name_starts_empty()
    {
        await JoinAsync("Class", "publisher1", "Alice");
        var first = await Chat.SendAsync(User("publisher1"), "Class", "first", Ct);
        var second = await Chat.SendAsync(User("publisher1"), "Class", "second", Ct);
        var callId = Directory.GetParticipants("Class")[0].CallId;

        var read = await Chat.ReadAsync(callId, Ct);

        Assert.Equal(["first", "second"], read.Select(l => l.Text));
        Assert.True(first.Line!.Id < second.Line!.Id);
        Assert.Empty(await Chat.ReadAsync(Guid.NewGuid(), Ct));
    }

    [Theory]
    [InlineData("   ", "Write a message first.")]
    [InlineData("\u0007\u0008", "Write a message first.")]
    public async Task Empty_text_is_refused_and_nothing_is_stored(string text, string refusal)
    {
        await JoinAsync("Class", "publisher1", "Alice");

        var result = await Chat.SendAsync(User("publisher1"), "Class", text, Ct);

        Assert.Equal(refusal, result.Refusal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Text_over_the_limit_is_refused_with_the_limit_in_words()
    {
        await JoinAsync("Class", "publisher1", "Alice");

        var result = await Chat.SendAsync(User("publisher1"), "Class", new string('x', ChatRoom.MaxLength + 1), Ct);
        var atLimit = await Chat.SendAsync(User("publisher1"), "Class", new string('x', ChatRoom.MaxLength), Ct);

        Assert.Equal("Keep messages to 500 characters or fewer.", result.Refusal);
        Assert.True(atLimit.Sent, atLimit.Refusal);
    }

    [Fact]
    public async Task Someone_who_is_not_in_the_call_cannot_write_in_it()
    {
        await JoinAsync("Class", "publisher1", "Alice");
        await JoinAsync("Other", "publisher2", "Bob");

        var result = await Chat.SendAsync(User("publisher2"), "Class", "let me in", Ct);
        var nameless = await Chat.SendAsync(new ClaimsPrincipal(new ClaimsIdentity()), "Class", "who am I", Ct);

        Assert.Equal("You can only write in a call you are in.", result.Refusal);
        Assert.Equal("You can only write in a call you are in.", nameless.Refusal);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Flooding_is_refused_after_ten_messages_in_ten_seconds_and_logged_then_allowed_again()
    {
        await JoinAsync("Class", "publisher1", "Alice");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var services = app.Services;
        var chat = new ChatRoom(Directory, services.GetRequiredService<OpenViduClient>(),
            services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>(), clock, loggers.CreateLogger<ChatRoom>());
        for (var i = 0; i < ChatRoom.MessagesPerWindow; i++)
        {
            Assert.True((await chat.SendAsync(User("publisher1"), "Class", $"message {i}", Ct)).Sent);
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        var eleventh = await chat.SendAsync(User("publisher1"), "Class", "one more", Ct);
        clock.Advance(TimeSpan.FromSeconds(5.5));
        var later = await chat.SendAsync(User("publisher1"), "Class", "later", Ct);

        Assert.Equal("You are sending messages too fast. Wait a few seconds.", eleventh.Refusal);
        Assert.True(later.Sent, later.Refusal);
        var warning = Assert.Single(logs.Records, r => r.EventId.Id == 6000);
        Assert.Contains("publisher1", warning.Message, StringComparison.Ordinal);
        Assert.Equal(ChatRoom.MessagesPerWindow + 1, (await chat.ReadAsync(Directory.GetParticipants("Class")[0].CallId, Ct)).Count);
    }

    [Fact]
    public async Task When_OpenVidu_refuses_the_signal_the_message_is_kept_and_the_sender_is_told()
    {
        var (_, _) = await JoinAsync("Class", "publisher1", "Alice");
        app.Emulator.Controls.FailNext(1, 500);

        var result = await Chat.SendAsync(User("publisher1"), "Class", "are you there?", Ct);

        Assert.True(result.Sent);
        Assert.Equal("Your message was saved, but the video server did not pass it on: others see it when they reload.", result.Warning);
        Assert.Single(await Chat.ReadAsync(Directory.GetParticipants("Class")[0].CallId, Ct));
    }

    [Fact]
    public async Task An_admin_reads_a_past_calls_chat_from_its_history_on_request()
    {
        var (alice, _) = await JoinAsync("Class", "publisher1", "Alice");
        await Chat.SendAsync(User("publisher1"), "Class", "notes: https://example.org/notes", Ct);
        await Chat.SendAsync(User("publisher1"), "Class", "bye", Ct);
        await Issuer.ReleaseAsync("Class", alice.ConnectionId, Ct);
        await app.Get<CallHistoryWriter>().FlushAsync();
        var call = Assert.Single(await app.Services.GetRequiredService<CallHistoryQueries>().AllCallsAsync(cancellationToken: Ct));
        await using var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServicesForTests();
        bunit.Services.AddSingleton(Chat);

        var transcript = bunit.Render<CallChatTranscript>(p => p.Add(c => c.CallId, call.Id).Add(c => c.MessageCount, call.ChatMessages));
        var button = transcript.Find("[data-testid=show-chat]");
        Assert.Equal("Show chat (2 messages)", button.TextContent.Trim());
        await button.ClickAsync(new());

        transcript.WaitForElement("[data-testid=chat-transcript]", Wait);
        Assert.Equal(["notes: https://example.org/notes", "bye"], transcript.FindAll("[data-testid=chat-text]").Select(t => t.TextContent));
        Assert.Equal(["Alice", "Alice"], transcript.FindAll("[data-testid=chat-author]").Select(t => t.TextContent));
    }

    private async Task AssertNothingStoredAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(Ct);
        Assert.Empty(await db.ChatMessages.ToListAsync(Ct));
    }
}

public sealed class PostgreSqlChatRoomTests() : ChatRoomTests(TestDatabase.PostgreSql);
