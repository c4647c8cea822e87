namespace OpenViduServerSide.Data;

/// <summary>
/// Fills the database once it is migrated, before the server listens (<see cref="DatabaseInitializer"/> runs every one
/// registered, scoped, in registration order). A feature registers its own, so this folder depends on no feature.
/// </summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(CancellationToken cancellationToken);
}
