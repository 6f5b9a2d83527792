using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using NCrontab;

namespace Snapshots.Local.FunctionHosting;

/// <summary>
/// Runs <c>[TimerTrigger]</c> functions on the NCRONTAB schedule in their attribute, as the Functions host does,
/// and lets them be started by hand with <c>POST /admin/functions/{name}</c> (the host's admin route).
/// </summary>
public sealed class TimerFunctions(IServiceProvider services, TimeProvider clock, ILogger<TimerFunctions> logger) : BackgroundService
{
    public const string Disable = "LocalRuntime:DisableTimers";

    public static CrontabSchedule ScheduleOf(FunctionDescriptor function)
    {
        var expression = function.TimerTrigger.Schedule;
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
    }

    public static async Task InvokeAsync(FunctionDescriptor function, IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var arguments = function.Method.GetParameters().Select(parameter =>
            parameter.ParameterType == typeof(TimerInfo) ? new TimerInfo()
            : parameter.ParameterType == typeof(CancellationToken) ? cancellationToken
            : parameter.ParameterType == typeof(DurableTaskClient) ? scope.ServiceProvider.GetRequiredService<DurableTaskClient>()
            : scope.ServiceProvider.GetRequiredService(parameter.ParameterType)).ToArray();
        await FunctionInvoker.InvokeAsync(function.Method, scope.ServiceProvider, arguments);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(LocalRuntime.Functions.Where(f => f.Trigger == FunctionTriggerKind.Timer).Select(f => RunOnScheduleAsync(f, stoppingToken)));

    private async Task RunOnScheduleAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var schedule = ScheduleOf(function);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = new DateTimeOffset(DateTime.SpecifyKind(schedule.GetNextOccurrence(now.UtcDateTime), DateTimeKind.Utc));
            try
            {
                // A timer may wake a millisecond early; a tick before its occurrence would leave that occurrence to the next one.
                for (var wait = next - now; wait > TimeSpan.Zero; wait = next - clock.GetUtcNow())
                {
                    await Task.Delay(wait, clock, stoppingToken);
                }

                await InvokeAsync(function, services, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Timer function {Function} failed: {Error}", function.Name, ex.Message);
            }
        }
    }
}
