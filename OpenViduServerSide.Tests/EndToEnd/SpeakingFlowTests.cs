using Microsoft.Playwright;
using OpenViduEmulator;
using OpenViduEmulator.Testing;
using OpenViduServerSide.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpenViduServerSide.Tests.EndToEnd;

/// <summary>
/// The speaking indicator from real speech detection: openvidu-browser's hark, on Alice's own microphone and on her
/// stream as Bob receives it through Janus.
/// </summary>
/// <remarks>
/// openvidu-browser's hark samples the level every 100 ms and says "speaking" only when 2 of its last 3 samples were
/// above −50 dB, and "stopped" after 10 quiet ones. Chromium's default fake microphone only beeps briefly, so whether
/// that counts as speech depends on timing (seen both ways). Alice's Chromium speaks from a file instead
/// (<c>--use-file-for-fake-audio-capture</c>): 2 s of tone, then 3 s of silence, looped, so both the start and the end
/// of speech come for certain.
/// </remarks>
[Collection(RealMediaTests.Name)]
public sealed class SpeakingFlowTests(BrowserFixture browsers) : IAsyncLifetime
{
    private EmulatedApp app = default!;
    private IPlaywright? playwright;
    private IBrowser? speakingBrowser;
    private readonly string speech = Path.Combine(Path.GetTempPath(), $"speech-{Guid.NewGuid():N}.wav");

    public async ValueTask InitializeAsync()
    {
        app = await EmulatedApp.StartAsync(new EmulatedAppOptions { Kestrel = true, Emulator = new EmulatorOptions { MediaPlane = MediaPlane.Janus } });
        await File.WriteAllBytesAsync(speech, ToneThenSilence(toneSeconds: 2, silenceSeconds: 3), TestContext.Current.CancellationToken);
        playwright = await Playwright.CreateAsync();
        speakingBrowser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumOptions.ExecutablePath,
            Headless = true,
            Args = ChromiumOptions.Arguments(ChromiumOptions.AllowLoopbackInPeerConnection, "--use-file-for-fake-audio-capture=" + speech),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (speakingBrowser is not null)
        {
            await speakingBrowser.DisposeAsync();
        }

        playwright?.Dispose();
        await app.DisposeAsync();
        File.Delete(speech);
    }

    [Fact]
    public async Task A_speaking_person_is_ringed_on_their_own_page_and_on_the_others_then_not_when_quiet()
    {
        await using var aliceContext = await speakingBrowser!.NewContextAsync(new() { BaseURL = app.BaseUrl, Permissions = ["camera", "microphone"] });
        aliceContext.SetDefaultTimeout(15_000);
        await using var bobContext = await browsers.NewContextAsync(app.BaseUrl);
        var alice = new AppPage(await aliceContext.NewPageAsync());
        var bob = new AppPage(await bobContext.NewPageAsync());
        await alice.SignInAsync("publisher1");
        await alice.JoinAsync("SPEECH", "Alice");
        await bob.SignInAsync("subscriber");
        await bob.JoinAsync("SPEECH", "Bob");
        await bob.ExpectFramesAsync(bob.Tile("Alice"));

        // On her own page (the publisher's hark) and on Bob's (hark on the stream Janus brought him): the tone is speech…
        var expectSpeaking = new LocatorAssertionsToHaveAttributeOptions { Timeout = 20_000 };
        await Expect(alice.Tile("Alice")).ToHaveAttributeAsync("data-speaking", "true", expectSpeaking);
        await Expect(bob.Tile("Alice")).ToHaveAttributeAsync("data-speaking", "true", expectSpeaking);
        await Expect(bob.Tile("Alice")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Alice, speaking"), new() { Timeout = 20_000 });
        await Expect(bob.Participants.Filter(new() { HasText = "publisher1" }).GetByTestId("participant-speaking")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await bob.Page.ScreenshotAsync(new() { Path = BrowserFixture.ScreenshotPath("speaking-seen-by-subscriber") });

        // …and the silence after it ends it, on both pages.
        await Expect(alice.Tile("Alice")).ToHaveAttributeAsync("data-speaking", "false", expectSpeaking);
        await Expect(bob.Tile("Alice")).ToHaveAttributeAsync("data-speaking", "false", expectSpeaking);
    }

    /// <summary>A mono 16-bit 48 kHz WAV: a 440 Hz tone at half scale (about −6 dBFS), then silence.</summary>
    private static byte[] ToneThenSilence(int toneSeconds, int silenceSeconds)
    {
        const int rate = 48_000;
        var samples = rate * (toneSeconds + silenceSeconds);
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write(36 + (samples * 2));
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(rate);
        w.Write(rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write(i < rate * toneSeconds ? (short)(Math.Sin(2 * Math.PI * 440 * i / rate) * short.MaxValue / 2) : (short)0);
        }

        w.Flush();
        return wav.ToArray();
    }
}
