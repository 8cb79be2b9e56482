// The field app (/field/): grid workers and residents on their phones, offline first. Its own build
// (web/field/index.html → dist/field/) with its own service worker (Workbox, through vite-plugin-pwa),
// so the console's chunks are never precached on a phone. Vant components are imported where used.
import { VantResolver } from "@vant/auto-import-resolver";
import vue from "@vitejs/plugin-vue";
import Components from "unplugin-vue-components/vite";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

export default defineConfig({
  root: decodeURIComponent(new URL("./field", import.meta.url).pathname),
  base: "/field/",
  plugins: [
    vue(),
    Components({ resolvers: [VantResolver()], dts: false }),
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: "script",
      scope: "/field/",
      base: "/field/",
      manifest: {
        name: "共建 · 网格通 Gongjian Field", short_name: "网格通", lang: "zh-CN", start_url: "/field/", scope: "/field/",
        display: "standalone", background_color: "#ffffff", theme_color: "#b3121e",
        icons: [
          { src: "icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "icon.svg", sizes: "any", type: "image/svg+xml" },
        ],
      },
      workbox: {
        // a new version takes over at once, and the first visit is served offline-ready without a reload
        clientsClaim: true,
        skipWaiting: true,
        // the app shell: every file of this build; its routes open index.html, offline too
        globPatterns: ["**/*.{js,css,html,svg,png,woff2}"],
        navigateFallback: "/field/index.html",
        navigateFallbackAllowlist: [/^\/field\//],
        // the deployment's config.json: the network when there is one, else the last copy
        runtimeCaching: [{ urlPattern: ({ url }) => url.pathname === "/config.json", handler: "NetworkFirst",
          options: { cacheName: "field-config" } }],
      },
    }),
  ],
  build: { outDir: "../dist/field", emptyOutDir: true, manifest: true },
  server: { proxy: { "/v1": "http://127.0.0.1:8000", "/local": "http://127.0.0.1:8000" } },
});
