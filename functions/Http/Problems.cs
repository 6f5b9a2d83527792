using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Mvc;

namespace Snapshots.Functions.Http;

/// <summary>RFC 9457 problem+json answers: every error a client gets has a status, a title and a readable detail.</summary>
public static class Problems
{
    public static IActionResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IActionResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static IActionResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IActionResult TooLarge(string detail) => Create(StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);

    /// <summary>A problem for any client-error status, titled by its reason phrase.</summary>
    public static IActionResult For(int status, string detail) =>
        Create(status, ReasonPhrases.GetReasonPhrase(status), detail);

    public static IActionResult Create(int status, string title, string detail) =>
        new ObjectResult(new ProblemDetails { Status = status, Title = title, Detail = detail })
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };
}
