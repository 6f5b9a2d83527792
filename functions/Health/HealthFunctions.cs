using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Health;

namespace Snapshots.Functions.Health;

public sealed class HealthFunctions(HealthProbe probe)
{
    /// <summary>Liveness and dependency reachability; 503 when a dependency does not answer.</summary>
    [Function(nameof(GetHealth))]
    public async Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        var report = await probe.CheckAsync(request.HttpContext.RequestAborted);
        return new ObjectResult(report) { StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable };
    }
}
