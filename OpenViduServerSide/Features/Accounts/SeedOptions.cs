namespace OpenViduServerSide.Features.Accounts;

/// <summary>Bound from the <c>Seed</c> section.</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Creates the tutorial's demo users (password <c>pass</c>). For development and demos only.</summary>
    public bool DemoUsers { get; set; }

    /// <summary>
    /// Outside Development, <see cref="DemoUsers"/> stops the app at start unless this is also set: a deployment must
    /// say in so many words that it wants accounts whose password everyone knows (a demo install, the tests).
    /// </summary>
    public bool AllowDemoUsersOutsideDevelopment { get; set; }

    /// <summary>With <see cref="AdminPassword"/>: an Admin account created at start when it does not exist.</summary>
    public string? AdminUserName { get; set; }

    public string? AdminPassword { get; set; }
}
