using System.CommandLine;
using Snapshots.Access;

namespace Snapshots.Cli.Commands;

/// <summary>
/// <c>snapshots token --user alice --project P --role reader</c>: mints a local development token with the key the
/// local runtime created. Offline; prints only the token, so <c>TOKEN=$(snapshots token --admin)</c> works.
/// </summary>
public static class TokenCommand
{
    public static Command Build(CliEnvironment environment)
    {
        var user = new Option<string>("--user") { Description = "The user id (the token's sub)", DefaultValueFactory = _ => "local-admin" };
        var projects = new Option<string[]>("--project") { Description = "Project the role applies to (repeatable)", AllowMultipleArgumentsPerToken = true };
        var role = new Option<string?>("--role") { Description = "owner, maintainer or reader on those projects" };
        role.AcceptOnlyFromAmong([.. ProjectRoles.All]);
        var admin = new Option<bool>("--admin") { Description = $"Environment admin: every permission on every project ({EnvironmentRoles.Admin})" };
        var restorer = new Option<bool>("--restorer") { Description = $"May restore by identifier into new projects ({EnvironmentRoles.Restorer})" };
        var hours = new Option<double>("--hours") { Description = "Lifetime in hours", DefaultValueFactory = _ => 12 };
        var command = new Command("token", "Mint a local development token (signed with the local runtime's key)")
        {
            user, projects, role, admin, restorer, hours,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var key = ReadKey(environment);
            if (key is null)
            {
                await environment.Error.WriteLineAsync($"error: no local development key at {environment.DevelopmentKeyPath}; start the local runtime once (dotnet run --project src/Snapshots.Local)");
                return ExitCodes.Failed;
            }

            var projectIds = parse.GetValue(projects) ?? [];
            if ((projectIds.Length > 0) != (parse.GetValue(role) is not null))
            {
                await environment.Error.WriteLineAsync("error: --project and --role go together");
                return ExitCodes.Usage;
            }

            if (parse.GetValue(hours) is <= 0 or > 24 * 30)
            {
                await environment.Error.WriteLineAsync("error: --hours must be more than 0 and at most 720");
                return ExitCodes.Usage;
            }

            var environmentRoles = new List<string>();
            if (parse.GetValue(admin))
            {
                environmentRoles.Add(EnvironmentRoles.Admin);
            }

            if (parse.GetValue(restorer))
            {
                environmentRoles.Add(EnvironmentRoles.Restorer);
            }

            var token = DevelopmentTokens.Mint(key, new DevelopmentTokenRequest(parse.GetValue(user)!)
            {
                EnvironmentRoles = environmentRoles,
                ProjectRoles = projectIds.Distinct().ToDictionary(id => id, _ => parse.GetValue(role)!),
                Lifetime = TimeSpan.FromHours(parse.GetValue(hours)),
            });
            await environment.Out.WriteLineAsync(token.AsMemory(), cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The local runtime's key, or null when it has never run on this machine.</summary>
    public static string? ReadKey(CliEnvironment environment) => DevelopmentTokens.TryReadKey(environment.DevelopmentKeyPath);

    /// <summary>Without --token, a local service gets an admin token minted with the local key, so no sign-in step is needed.</summary>
    public static string? DefaultLocalToken(CliEnvironment environment, Uri service) =>
        service.IsLoopback && ReadKey(environment) is { } key
            ? DevelopmentTokens.Mint(key, new DevelopmentTokenRequest("local-admin") { EnvironmentRoles = [EnvironmentRoles.Admin], Lifetime = TimeSpan.FromHours(1) })
            : null;
}
