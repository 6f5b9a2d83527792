using System.CommandLine;
using System.Net.Http.Headers;
using Snapshots.Cli.Api;
using Snapshots.Cli.Commands;
using Snapshots.Cli.Output;
using Spectre.Console;

namespace Snapshots.Cli;

/// <summary>Where the CLI writes and how it reaches the service; tests pass their own.</summary>
public sealed record CliEnvironment(TextWriter Out, TextWriter Error)
{
    public HttpMessageHandler? Handler { get; init; }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The local runtime's token signing key (see <c>snapshots token</c>); null for none.</summary>
    public string? DevelopmentKeyPath { get; init; } = Access.DevelopmentTokens.DefaultKeyPath;

    public static CliEnvironment Console => new(System.Console.Out, System.Console.Error);
}

/// <summary>Exit codes: 0 done, 1 the service or the input refused, 2 usage, 3 the service cannot be reached.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
}

/// <summary>The per-invocation services a command works with.</summary>
public sealed class CliContext(HttpClient http, CliConsole console, TimeSpan pollInterval) : IDisposable
{
    private readonly SnapshotsApiClient api = new(http);

    public SnapshotsApiClient Api => api;

    public CliConsole Console => console;

    public OperationWaiter Waiter => new(api, pollInterval);

    public TimeSpan PollInterval => pollInterval;

    public void Dispose() => http.Dispose();
}

/// <summary>Wraps a command's work with the shared context and the error-to-exit-code rules.</summary>
public delegate Func<ParseResult, CancellationToken, Task<int>> CommandRunner(Func<ParseResult, CliContext, CancellationToken, Task> command);

/// <summary>The <c>snapshots</c> command line.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        var url = new Option<string>("--url")
        {
            Description = "The snapshot service (env SNAPSHOTS_URL)",
            DefaultValueFactory = _ => environment.Variable("SNAPSHOTS_URL") ?? "http://localhost:7071",
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Print only the result, as JSON", Recursive = true };
        var token = new Option<string?>("--token")
        {
            Description = "Bearer token (env SNAPSHOTS_TOKEN; for a service on localhost, a local admin token by default)",
            DefaultValueFactory = _ => environment.Variable("SNAPSHOTS_TOKEN"),
            Recursive = true,
        };

        var root = new RootCommand("Back up, restore and move document-AI projects with the snapshot service.");
        root.Options.Add(url);
        root.Options.Add(json);
        root.Options.Add(token);

        CliContext ContextFor(ParseResult parse, CliConsole console)
        {
            var address = ServiceAddress(parse.GetValue(url));
            var http = new HttpClient(environment.Handler ?? new HttpClientHandler(), disposeHandler: environment.Handler is null)
            {
                BaseAddress = address,
                // Uploads and downloads of large archives take as long as they take; Ctrl-C cancels.
                Timeout = Timeout.InfiniteTimeSpan,
            };
            if ((parse.GetValue(token) is { Length: > 0 } given ? given : TokenCommand.DefaultLocalToken(environment, address)) is { } bearer)
            {
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            }

            return new CliContext(http, console, environment.PollInterval);
        }

        CommandRunner run = command => async (parse, cancellationToken) =>
        {
            var console = new CliConsole(ConsoleFor(environment), environment.Error, parse.GetValue(json));
            try
            {
                using var context = ContextFor(parse, console);
                await command(parse, context, cancellationToken);
                return ExitCodes.Ok;
            }
            catch (ServiceUnreachableException ex)
            {
                console.Error(ex.Message);
                return ExitCodes.Unreachable;
            }
            catch (CliUsageException ex)
            {
                console.Error(ex.Message);
                return ExitCodes.Usage;
            }
            catch (Exception ex) when (ex is ApiException or OperationFailedException or CliInputException or UnexpectedAnswerException)
            {
                console.Error(ex.Message);
                return ExitCodes.Failed;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Anything else (a file that cannot be read, a bug) is still one line, never a stack trace.
                console.Error(ex.Message);
                return ExitCodes.Failed;
            }
        };

        foreach (var command in new[]
        {
            ImportCommand.Build(run), ProjectCommand.Build(run), OperationCommand.Build(run), VerifyCommand.Build(environment, run),
            SnapshotCommands.Create(run), SnapshotCommands.List(run), SnapshotCommands.Download(run), SnapshotCommands.Delete(run),
            RestoreCommands.Restore(run), RestoreCommands.Cancel(run), RestoreCommands.Revert(run), RestoreCommands.Status(run), PolicyCommand.Build(run), DiffCommand.Build(run),
            TokenCommand.Build(environment),
        })
        {
            root.Subcommands.Add(command);
        }

        var parsed = root.Parse(args);
        var exit = await parsed.InvokeAsync(new InvocationConfiguration { Output = environment.Out, Error = environment.Error });
        return parsed.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }

    private static Uri ServiceAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var address) && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps)
            ? new Uri(url!.TrimEnd('/') + "/")
            : throw new CliUsageException($"--url '{url}' is not an http:// or https:// address");

    /// <summary>Colours and live progress only on a real terminal; captured output (tests, pipes) stays plain text.</summary>
    private static IAnsiConsole ConsoleFor(CliEnvironment environment)
    {
        var terminal = ReferenceEquals(environment.Out, System.Console.Out) && !System.Console.IsOutputRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(environment.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }
}

/// <summary>Bad input the CLI itself finds (a missing file): one line, exit code 1.</summary>
public sealed class CliInputException(string message) : Exception(message);

/// <summary>An option value System.CommandLine cannot check by itself (a malformed --url): exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
