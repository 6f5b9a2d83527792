using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Snapshots.Functions.Http;

/// <summary>RFC 9457 problem+json answers: every error a client gets has a status, a title and a readable detail.</summary>
public static class Problems
{
    public static IActionResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, detail);

    public static IActionResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, detail);

    public static IActionResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, detail);

    public static IActionResult TooLarge(string detail) => Create(StatusCodes.Status413PayloadTooLarge, detail);

    private static ObjectResult Create(int status, string detail) =>
        new(new ProblemDetails { Status = status, Title = ProblemTitles.Of(status), Detail = detail })
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };
}
