using System.Net;
using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Cosmos;
using Snapshots.Archive;
using Snapshots.Create;
using Snapshots.Errors;
using Snapshots.Functions.Http;
using Snapshots.Imports;

namespace Snapshots.Tests.Unit;

/// <summary>Each meaning an exception carries becomes one status, title and set of headers, whichever host answers.</summary>
public sealed class ProblemMapperTests
{
    public static TheoryData<Exception, int, string> Refusals() => new()
    {
        { new AuthenticationRequiredException("The token has expired."), 401, "Unauthorized" },
        { new PermissionDeniedException("You need the 'delete snapshot' permission."), 403, "Forbidden" },
        { new NotFoundException("No snapshot with id 'x'."), 404, "Not found" },
        { new ConflictException("The snapshot is still being created."), 409, "Conflict" },
        { new NoDatasetDocumentsException(), 409, "Conflict" },
        { new InvalidRequestException("Choose at least one mode."), 400, "Bad request" },
        { new ImportValidationException("labels.json5", "is empty."), 400, "Bad request" },
        { new ArchiveValidationException("manifest.json: checksum mismatch."), 400, "Bad request" },
        { new TooLargeException("Too large."), 413, "Payload too large" },
        { new ImportTooLargeException(ImportTooLargeException.UploadMessage(10)), 413, "Payload too large" },
        { new ArchiveTooLargeException("Too many entries."), 413, "Payload too large" },
        { new RequestBodyTooLargeException("The body is larger than 1048576 bytes."), 413, "Payload too large" },
        { new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge), 413, "Payload too large" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refusal_is_answered_by_its_meaning_with_its_message(Exception refusal, int status, string title)
    {
        var problem = ProblemMapper.Map(refusal);

        Assert.Equal(status, problem.Status);
        Assert.Equal(title, problem.Title);
        Assert.Equal(refusal.Message, problem.Detail);
    }

    [Fact]
    public void An_authentication_failure_asks_for_a_bearer_token()
    {
        var problem = ProblemMapper.Map(new AuthenticationRequiredException("No token."));

        Assert.Equal("Bearer error=\"invalid_token\"", problem.Headers["WWW-Authenticate"]);
        Assert.DoesNotContain("Retry-After", problem.Headers.Keys);
    }

    [Fact]
    public void Only_the_first_line_of_a_refusal_is_the_detail() =>
        Assert.Equal("No project with id 'p'.", ProblemMapper.Map(new NotFoundException("No project with id 'p'.\r\n   at Somewhere()")).Detail);

    [Fact]
    public void A_wrapped_refusal_keeps_its_meaning() =>
        Assert.Equal(409, ProblemMapper.Map(new InvalidOperationException("host", new ConflictException("busy"))).Status);

    [Fact]
    public void The_outermost_refusal_decides() =>
        Assert.Equal(409, ProblemMapper.Map(new ConflictException("unreadable archive", new ArchiveValidationException("bad"))).Status);

    public static TheoryData<Exception, string> DependencyFailures() => new()
    {
        { new CosmosException("down", HttpStatusCode.ServiceUnavailable, 0, "a", 0), "Cosmos DB does not answer right now; retry in a few seconds." },
        { new InvalidOperationException("wrapped", new RequestFailedException(503, "busy")), "Blob storage does not answer right now; retry in a few seconds." },
        { new DependencyUnavailableException("the search index", "no answer"), "The search index does not answer right now; retry in a few seconds." },
    };

    [Theory]
    [MemberData(nameof(DependencyFailures))]
    public void A_dependency_that_does_not_answer_is_a_503_with_retry_after(Exception failure, string detail)
    {
        var problem = ProblemMapper.Map(failure);

        Assert.Equal(503, problem.Status);
        Assert.Equal("Service unavailable", problem.Title);
        Assert.Equal(detail, problem.Detail);
        Assert.Equal(Functions.Http.DependencyFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.Headers["Retry-After"]);
    }

    [Fact]
    public void Anything_else_is_a_500_that_tells_nothing_of_the_failure()
    {
        var problem = ProblemMapper.Map(new InvalidOperationException("secret internals", new IOException("more secrets")));

        Assert.Equal(500, problem.Status);
        Assert.Equal("Internal server error", problem.Title);
        Assert.Equal(ProblemMapper.InternalErrorDetail, problem.Detail);
        Assert.DoesNotContain("secret", problem.Detail);
        Assert.Empty(problem.Headers);
    }

    [Fact]
    public void Every_kind_of_refusal_has_a_client_error_status()
    {
        var kinds = typeof(RequestRefusedException).Assembly.GetTypes()
            .Concat(typeof(ProblemMapper).Assembly.GetTypes())
            .Where(t => t.IsSubclassOf(typeof(RequestRefusedException)) && !t.IsAbstract && t.GetConstructor([typeof(string)]) is not null);

        Assert.All(kinds, kind =>
            Assert.InRange(ProblemMapper.Map((Exception)Activator.CreateInstance(kind, "refused")!).Status, 400, 499));
    }
}
