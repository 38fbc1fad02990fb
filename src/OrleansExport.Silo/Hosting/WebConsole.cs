namespace OrleansExport.Silo.Hosting;

/// <summary>The admin web console: static files from wwwroot, served at <c>/</c> to anyone (it holds no data; the API it calls needs a key).</summary>
public static class WebConsole
{
    public static IApplicationBuilder UseWebConsole(this IApplicationBuilder app)
    {
        app.UseDefaultFiles();
        return app.UseStaticFiles(new StaticFileOptions
        {
            // Revalidate on every load (cheap with ETags), so a browser never mixes modules of two releases.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
    }
}
