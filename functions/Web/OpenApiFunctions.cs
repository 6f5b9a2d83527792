using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Snapshots.Functions.Web;

/// <summary>The OpenAPI 3.1 document of the HTTP API (<c>Web/openapi.json</c>, embedded in the assembly); open to anyone.</summary>
public sealed class OpenApiFunctions
{
    public const string ResourceName = "openapi.json";

    private static readonly Lazy<byte[]> Document = new(Load);

    [Function(nameof(GetOpenApiDocument))]
    public IActionResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request)
    {
        _ = request;
        return new FileContentResult(Document.Value, "application/json");
    }

    private static byte[] Load()
    {
        using var stream = typeof(OpenApiFunctions).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
