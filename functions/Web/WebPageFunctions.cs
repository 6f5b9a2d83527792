using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Snapshots.Functions.Http;

namespace Snapshots.Functions.Web;

/// <summary>
/// The Snapshots page: static files embedded in this assembly, served by the app itself (in Azure and locally),
/// with nothing fetched from elsewhere. The page signs in to the API with a bearer token; the files are public.
/// </summary>
public sealed class WebPageFunctions
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    [Function(nameof(GetWebPage))]
    public IActionResult GetWebPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ui/{file?}")] HttpRequest request,
        string? file)
    {
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        var resource = ContentTypes.ContainsKey(Path.GetExtension(name)) && !name.Contains('/', StringComparison.Ordinal)
            ? typeof(WebPageFunctions).Assembly.GetManifestResourceStream("ui/" + name)
            : null;
        if (resource is null)
        {
            return Problems.NotFound($"No page file '{name}'.");
        }

        request.HttpContext.Response.Headers.CacheControl = "no-cache";
        request.HttpContext.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; frame-ancestors 'none'";
        return new FileStreamResult(resource, ContentTypes[Path.GetExtension(name)]);
    }
}
