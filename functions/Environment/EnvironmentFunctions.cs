using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Snapshots.Configuration;
using Snapshots.Functions.Access;

namespace Snapshots.Functions.Environment;

public sealed record CallerView(string UserId, string? Name, bool IsAdmin, bool CanRestoreByIdentifier);

public sealed record EnvironmentView(string EnvironmentName, bool RestoreAcrossEnvironments, CallerView Caller);

/// <summary>What this environment offers and who the caller is: what a client needs to decide which controls to show.</summary>
public sealed class EnvironmentFunctions(IOptions<SnapshotsOptions> options, RequestAccess access)
{
    [Function(nameof(GetEnvironment))]
    public async Task<IActionResult> GetEnvironment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "environment")] HttpRequest request)
    {
        var user = await access.AuthenticateAsync(request);
        return new OkObjectResult(new EnvironmentView(options.Value.EnvironmentName, options.Value.RestoreAcrossEnvironments,
            new CallerView(user.UserId, user.Name, user.IsAdmin, options.Value.RestoreAcrossEnvironments && user.CanRestoreFromOutside)));
    }
}
