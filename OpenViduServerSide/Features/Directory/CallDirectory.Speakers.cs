namespace OpenViduServerSide.Features.Directory;

/// <summary>Why a person's role in a call changes while they are in it.</summary>
public enum RoleSwitchCause
{
    /// <summary>A moderator (or an administrator) let a SUBSCRIBER speak in this call.</summary>
    LetSpeak,

    /// <summary>A moderator took that back.</summary>
    SpeakTakenBack,

    /// <summary>An administrator changed the account's OpenVidu role.</summary>
    AccountRole,
}

/// <summary>
/// What a person's open call page is told when their role in <paramref name="SessionName"/> changes: it mints a
/// connection with the role the server now gives and switches to it without leaving the call.
/// </summary>
/// <param name="By">Who did it, as the notices say it ("a moderator (alice)").</param>
/// <param name="Role">The account's new role (<see cref="RoleSwitchCause.AccountRole"/> only).</param>
public sealed record RoleSwitch(string SessionName, string UserName, RoleSwitchCause Cause, string By, string? Role = null);

/// <summary>
/// Promote to speak: the SUBSCRIBERs allowed to publish in one call. The grant lives with the call's entry, so it ends
/// with the call (a later call of the same name starts without it) and never reaches another call; <see cref="ConnectionIssuer"/>
/// reads it when it mints. Pages that can switch a person's connection listen here for that person.
/// </summary>
public sealed partial class CallDirectory
{
    // Copy-on-write like the subscriptions.
    private volatile RoleSwitchListener[] roleSwitchListeners = [];

    /// <summary>True while <paramref name="userName"/> may publish in the live call <paramref name="sessionName"/> whatever their account's role.</summary>
    public bool MaySpeak(string sessionName, string userName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) && live.Speakers.Contains(userName);
        }
    }

    /// <summary>Who may speak in the live call <paramref name="sessionName"/> (empty when there is none).</summary>
    public IReadOnlySet<string> SpeakersIn(string sessionName)
    {
        lock (gate)
        {
            return sessions.TryGetValue(sessionName, out var live) ? live.Speakers.ToHashSet(StringComparer.Ordinal) : new HashSet<string>();
        }
    }

    /// <summary>
    /// Lets <paramref name="userName"/> publish in the live call <paramref name="sessionName"/> (their next connection
    /// there is a PUBLISHER one), or takes it back. False when there is no such call or nothing changed. The lists re-render
    /// through an <see cref="DirectoryChangeKind.Updated"/> change of the person's connections.
    /// </summary>
    public bool SetSpeaker(string sessionName, string userName, bool maySpeak)
    {
        List<DirectoryChange> changes = [];
        lock (gate)
        {
            if (!sessions.TryGetValue(sessionName, out var live) || !(maySpeak ? live.Speakers.Add(userName) : live.Speakers.Remove(userName)))
            {
                return false;
            }

            var at = clock.GetUtcNow();
            changes.AddRange(live.Participants.Values.Where(p => p.UserName == userName)
                .Select(p => new DirectoryChange(sessionName, live.CallId, DirectoryChangeKind.Updated, at, p, maySpeak ? "letSpeak" : "speakTakenBack") { Incarnation = live.Incarnation }));
            TellOtherInstances(new DirectoryMessage { Speaker = new SpeakerGrant(sessionName, live.CallId, userName, maySpeak) });
        }

        Publish(changes);
        return true;
    }

    /// <summary>Calls <paramref name="onSwitch"/> (outside the lock) when the role of <paramref name="userName"/> in <paramref name="sessionName"/> changes, until disposed.</summary>
    public IDisposable OnRoleSwitch(string sessionName, string userName, Func<RoleSwitch, Task> onSwitch)
    {
        var listener = new RoleSwitchListener(this, sessionName, userName, onSwitch);
        lock (gate)
        {
            roleSwitchListeners = [.. roleSwitchListeners, listener];
        }

        SendListeners();
        return listener;
    }

    /// <summary>
    /// Tells the pages of <see cref="RoleSwitch.UserName"/> in that call to switch, on this instance and on the others.
    /// Returns how many pages listen (here, and on the others as they last said): 0 means nobody will switch (an API
    /// client), and the caller must act otherwise.
    /// </summary>
    public int SwitchRole(RoleSwitch change)
    {
        ArgumentNullException.ThrowIfNull(change);
        TellOtherInstances(new DirectoryMessage { RoleSwitch = change });
        return TellLocalRoleSwitchListeners(change) + RemoteListenerCount(change.SessionName, change.UserName);
    }

    private int TellLocalRoleSwitchListeners(RoleSwitch change)
    {
        var targets = Array.FindAll(roleSwitchListeners, l => l.SessionName == change.SessionName && l.UserName == change.UserName);
        foreach (var target in targets)
        {
            _ = TellRoleSwitchAsync(target, change);
        }

        return targets.Length;
    }

    private async Task TellRoleSwitchAsync(RoleSwitchListener target, RoleSwitch change)
    {
        try
        {
            await target.OnSwitch(change);
        }
        catch (Exception e)
        {
            LogSubscriberFailed(e, change.SessionName);
        }
    }

    private sealed class RoleSwitchListener(CallDirectory owner, string sessionName, string userName, Func<RoleSwitch, Task> onSwitch) : IDisposable
    {
        public string SessionName { get; } = sessionName;

        public string UserName { get; } = userName;

        public Func<RoleSwitch, Task> OnSwitch { get; } = onSwitch;

        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.roleSwitchListeners = Array.FindAll(owner.roleSwitchListeners, l => l != this);
            }

            owner.SendListeners();
        }
    }
}
