using Microsoft.Extensions.DependencyInjection;

namespace Snapshots.Testing.Seeding;

public static class SeedingServiceCollectionExtensions
{
    /// <summary>Registers <see cref="SyntheticProjectSeeder"/> next to the engine's stores: for tests and the benchmark only.</summary>
    public static IServiceCollection AddSyntheticProjectSeeder(this IServiceCollection services) =>
        services.AddSingleton<SyntheticProjectSeeder>();
}
