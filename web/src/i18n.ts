// Chinese first, English by the header's switch (kept per browser). Screens keep their own strings
// beside them (`useI18n({ messages })`); the shared ones (navigation, states, actions) are here.
import { createI18n } from "vue-i18n";

const LOCALE_KEY = "gongjian.locale";
export type Locale = "zh-CN" | "en";

const messages = {
  "zh-CN": {
    app: { title: "共建 · 大党委工作台", signOut: "退出登录", language: "English" },
    nav: { home: "首页", map: "地图", incidents: "事件", meetings: "会议", organisations: "党组织",
      services: "服务", assessments: "考核", audit: "审计", settings: "设置" },
    common: { loading: "加载中…", more: "加载更多", noMore: "已全部加载", retry: "重试", save: "保存", cancel: "取消",
      confirm: "确定", back: "返回", failed: "加载失败", field: "字段", notFound: "未找到该页面", none: "无" },
  },
  en: {
    app: { title: "Gongjian · Big Party Committee", signOut: "Sign out", language: "中文" },
    nav: { home: "Home", map: "Map", incidents: "Incidents", meetings: "Meetings", organisations: "Party organisation",
      services: "Services", assessments: "Assessment", audit: "Audit", settings: "Settings" },
    common: { loading: "Loading…", more: "Load more", noMore: "All loaded", retry: "Retry", save: "Save", cancel: "Cancel",
      confirm: "OK", back: "Back", failed: "Failed to load", field: "Field", notFound: "No such page", none: "None" },
  },
};

function stored(): Locale {
  return localStorage.getItem(LOCALE_KEY) === "en" ? "en" : "zh-CN";
}

export const i18n = createI18n({ legacy: false, locale: stored(), fallbackLocale: "zh-CN", messages });

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale;
}

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}
