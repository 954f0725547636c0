using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ApesTogether.LoadTest.Fakes;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port unless one is given), for the fakes of the world outside.</summary>
public static class LoopbackServer
{
    /// <summary>Starts the server; <paramref name="handle"/> answers every request. Returns the app and <c>http://127.0.0.1:{port}/</c>.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(RequestDelegate handle, CancellationToken cancellationToken,
        int port = 0)
    {
        // The empty builder reads no appsettings, environment or command line, and logs nothing, so nothing
        // from the test process (ASPNETCORE_URLS, the API's appsettings.json next to the tests) can change it.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}
