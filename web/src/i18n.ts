import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * Every visible string of the console, in Simplified Chinese (the default) and English.
 * Placeholders such as {count} are filled in by t('key', { count: 3 }).
 */
const zhCN = {
  'app.name': '三通',
  'app.tagline': '全渠道零售中台',

  'nav.dashboard': '经营概览',
  'nav.customers': '顾客',
  'nav.orders': '订单',
  'nav.inventory': '商品库存',
  'nav.stores': '门店',
  'nav.loyalty': '会员积分',
  'nav.marketing': '营销',
  'nav.settings': '设置',
  'nav.signOut': '退出登录',
  'nav.language': '语言',
  'nav.menu': '主菜单',

  'signin.title': '登录控制台',
  'signin.lead': '粘贴管理员或员工的 API 密钥以登录。密钥只保存在本浏览器中。',
  'signin.key': 'API 密钥',
  'signin.placeholder': 'st_…',
  'signin.submit': '登录',
  'signin.checking': '正在验证…',
  'signin.empty': '请输入 API 密钥',
  'signin.wrongKey': '密钥无效或已被吊销',
  'signin.failed': '无法连接服务器：{message}',
  'signin.expired': '您的密钥已失效，请重新登录',

  'common.loading': '加载中…',
  'common.loadMore': '加载更多',
  'common.retry': '重试',
  'common.refresh': '刷新',
  'common.close': '关闭',
  'common.all': '全部',
  'common.none': '—',
  'common.empty': '暂无数据',
  'common.total': '合计',
  'common.hidden': '无权查看',
  'common.shown': '已显示 {count} 条',
  'common.end': '已全部加载',
  'common.yes': '是',
  'common.no': '否',
  'common.forbidden': '您的角色无权访问此功能',
  'common.error': '出错了：{message}',

  'channel.app': 'App',
  'channel.mini_program': '小程序',
  'channel.web': 'Web',
  'channel.pos': '门店 POS',
  'channel.group_buy': '社区团购',

  'dash.title': '经营概览',
  'dash.subtitle': '时区 {timezone} · 金额单位 {currency}',
  'dash.today': '今日',
  'dash.last30': '近 30 天',
  'dash.range': '{from} 至 {to}',
  'dash.sales': '销售额',
  'dash.orders': '订单数',
  'dash.customers': '购买顾客',
  'dash.aov': '客单价',
  'dash.byChannel': '分渠道表现',
  'dash.channel': '渠道',
  'dash.share': '30 天销售占比',
  'dash.daily': '近 30 天每日销售额',
  'dash.dailyHint': '按渠道堆叠，不含待付款、已取消和已过期订单',
  'dash.chartLabel': '近 30 天每日销售额柱状图，按渠道堆叠',

  'orders.title': '订单',
  'orders.subtitle': '所有渠道的订单，最新在前',
  'orders.channel': '渠道',
  'orders.location': '门店/仓',
  'orders.status': '状态',
  'orders.id': '订单号',
  'orders.placedAt': '下单时间',
  'orders.paidAt': '付款时间',
  'orders.customer': '顾客',
  'orders.fulfillment': '履约方式',
  'orders.total': '实付',
  'orders.subtotal': '商品金额',
  'orders.discount': '优惠',
  'orders.deliveryFee': '配送费',
  'orders.detail': '订单详情',
  'orders.lines': '商品明细',
  'orders.lineNo': '行',
  'orders.sku': 'SKU',
  'orders.qty': '数量',
  'orders.unitPrice': '单价',
  'orders.amount': '金额',
  'orders.selectHint': '点击一行查看订单详情',
  'orders.guest': '游客',

  'fulfillment.delivery': '配送到家',
  'fulfillment.pickup': '到店自提',
  'fulfillment.in_store': '门店销售',

  'status.pending_payment': '待付款',
  'status.paid': '已付款',
  'status.completed': '已完成',
  'status.collected': '已自提',
  'status.delivered': '已送达',
  'status.cancelled': '已取消',
  'status.expired': '已过期',
  'status.in_fulfilment': '履约中',
  'status.ready_for_pickup': '待自提',
  'status.shipped': '已发货',
  'status.out_for_delivery': '配送中',
  'status.fulfilment_failed': '履约失败',
  'status.returned': '已退货',
  'status.refunded': '已退款',

  'customers.title': '顾客',
  'customers.subtitle': '统一的顾客档案；标识按您的角色脱敏显示',
  'customers.id': '顾客编号',
  'customers.createdAt': '创建时间',
  'customers.firstChannel': '首次渠道',
  'customers.traits': '属性',
  'customers.identifiers': '标识',

  'trait.city': '城市',
  'trait.gender': '性别',
  'trait.home_store': '常去门店',
  'trait.birthday': '生日',
  'gender.male': '男',
  'gender.female': '女',

  'identifier.phone': '手机',
  'identifier.email': '邮箱',
  'identifier.wechat_openid': '微信 OpenID',
  'identifier.wechat_unionid': '微信 UnionID',
  'identifier.device_id': '设备',
  'identifier.member_card': '会员卡',
  'identifier.pos_card': 'POS 卡',
  'identifier.external': '外部编号',

  'inventory.title': '商品库存',
  'inventory.subtitle': '商品目录与各门店、仓库的实时库存',
  'inventory.search': '搜索名称或 SKU',
  'inventory.category': '品类',
  'inventory.name': '商品名称',
  'inventory.listPrice': '标价',
  'inventory.channels': '销售渠道',
  'inventory.stock': '库存分布',
  'inventory.onHand': '在库',
  'inventory.reserved': '已预留',
  'inventory.safety': '安全库存',
  'inventory.available': '可用',
  'inventory.onlineAvailable': '线上可售',
  'inventory.selectHint': '点击商品查看各地库存',
  'inventory.low': '低于安全库存',

  'category.appliances': '家电',
  'category.3c': '3C 数码',
  'category.mother_baby': '母婴',
  'category.fresh': '生鲜',
  'category.snacks': '休闲零食',
  'category.personal_care': '个护',

  'stores.title': '门店',
  'stores.subtitle': '配送中心、门店与前置仓',
  'stores.map': '位置分布',
  'stores.mapHint': '圆圈表示本地配送半径',
  'stores.mapLabel': '门店位置图',
  'stores.name': '名称',
  'stores.type': '类型',
  'stores.address': '地址',
  'stores.hours': '营业时间',
  'stores.everyDay': '每天 {hours}',
  'stores.closed': '休息',
  'stores.ship': '发货',
  'stores.pickup': '自提',
  'stores.delivery': '本地配送',
  'stores.km': '{km} 公里',
  'stores.scale': '{km} 公里',
  'stores.coords': '坐标',
  'stores.north': '北',

  'locationType.dc': '配送中心',
  'locationType.store': '门店',
  'locationType.dark_store': '前置仓',

  'day.mon': '周一',
  'day.tue': '周二',
  'day.wed': '周三',
  'day.thu': '周四',
  'day.fri': '周五',
  'day.sat': '周六',
  'day.sun': '周日',

  'soon.title': '即将推出',
  'soon.loyalty': '会员积分模块正在开发中：积分规则、等级与权益将在这里管理。',
  'soon.marketing': '营销模块正在开发中：人群圈选、优惠券与活动将在这里管理。',

  'settings.title': '设置',
  'settings.subtitle': 'API 密钥与控制台偏好',
  'settings.keys': 'API 密钥',
  'settings.keysForbidden': '您的角色无权管理 API 密钥（仅管理员可用）',
  'settings.name': '名称',
  'settings.role': '角色',
  'settings.prefix': '前缀',
  'settings.location': '门店',
  'settings.channel': '渠道',
  'settings.createdAt': '创建时间',
  'settings.state': '状态',
  'settings.active': '有效',
  'settings.revoked': '已吊销 {date}',
  'settings.revoke': '吊销',
  'settings.revokeConfirm': '确定吊销密钥「{name}」？使用它的系统将立即无法访问。',
  'settings.revokeOwn': '这是您当前登录所用的密钥。吊销后您将被退出。确定吊销「{name}」？',
  'settings.current': '当前',
  'settings.create': '新建密钥',
  'settings.createSubmit': '创建',
  'settings.creating': '正在创建…',
  'settings.optional': '（可选）',
  'settings.locationRequired': '门店员工密钥必须绑定一个门店',
  'settings.channelRequired': '集成密钥必须绑定一个渠道',
  'settings.nameRequired': '请填写名称',
  'settings.newKey': '新密钥已创建。请立即复制保存，它只会显示这一次：',
  'settings.copy': '复制',
  'settings.copied': '已复制',
  'settings.dismiss': '我已保存',
  'settings.language': '界面语言',
  'settings.session': '当前会话',
  'settings.server': '服务器',

  'role.admin': '管理员',
  'role.marketer': '营销人员',
  'role.store_staff': '门店员工',
  'role.support': '客服',
  'role.analyst': '分析师',
  'role.integration': '系统集成',

  'notFound.title': '页面不存在',
  'notFound.back': '返回经营概览',
} as const;

export type MessageKey = keyof typeof zhCN;

const en: Record<MessageKey, string> = {
  'app.name': 'Santong',
  'app.tagline': 'Unified commerce',

  'nav.dashboard': 'Dashboard',
  'nav.customers': 'Customers',
  'nav.orders': 'Orders',
  'nav.inventory': 'Inventory',
  'nav.stores': 'Stores',
  'nav.loyalty': 'Loyalty',
  'nav.marketing': 'Marketing',
  'nav.settings': 'Settings',
  'nav.signOut': 'Sign out',
  'nav.language': 'Language',
  'nav.menu': 'Main menu',

  'signin.title': 'Sign in to the console',
  'signin.lead': 'Paste an admin or staff API key to sign in. The key is kept in this browser only.',
  'signin.key': 'API key',
  'signin.placeholder': 'st_…',
  'signin.submit': 'Sign in',
  'signin.checking': 'Checking…',
  'signin.empty': 'Please enter an API key',
  'signin.wrongKey': 'This key is unknown or has been revoked',
  'signin.failed': 'Could not reach the server: {message}',
  'signin.expired': 'Your key is no longer valid; please sign in again',

  'common.loading': 'Loading…',
  'common.loadMore': 'Load more',
  'common.retry': 'Retry',
  'common.refresh': 'Refresh',
  'common.close': 'Close',
  'common.all': 'All',
  'common.none': '—',
  'common.empty': 'Nothing here yet',
  'common.total': 'Total',
  'common.hidden': 'hidden',
  'common.shown': '{count} shown',
  'common.end': 'All loaded',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.forbidden': 'Not allowed for your role',
  'common.error': 'Something went wrong: {message}',

  'channel.app': 'App',
  'channel.mini_program': 'Mini Program',
  'channel.web': 'Web',
  'channel.pos': 'Store POS',
  'channel.group_buy': 'Group Buy',

  'dash.title': 'Dashboard',
  'dash.subtitle': 'Time zone {timezone} · amounts in {currency}',
  'dash.today': 'Today',
  'dash.last30': 'Last 30 days',
  'dash.range': '{from} to {to}',
  'dash.sales': 'Sales',
  'dash.orders': 'Orders',
  'dash.customers': 'Customers',
  'dash.aov': 'Average order value',
  'dash.byChannel': 'By channel',
  'dash.channel': 'Channel',
  'dash.share': 'Share of 30-day sales',
  'dash.daily': 'Daily sales, last 30 days',
  'dash.dailyHint': 'Stacked by channel; excludes unpaid, cancelled and expired orders',
  'dash.chartLabel': 'Bar chart of daily sales over the last 30 days, stacked by channel',

  'orders.title': 'Orders',
  'orders.subtitle': 'Orders from every channel, newest first',
  'orders.channel': 'Channel',
  'orders.location': 'Location',
  'orders.status': 'Status',
  'orders.id': 'Order',
  'orders.placedAt': 'Placed',
  'orders.paidAt': 'Paid',
  'orders.customer': 'Customer',
  'orders.fulfillment': 'Fulfilment',
  'orders.total': 'Total',
  'orders.subtotal': 'Subtotal',
  'orders.discount': 'Discount',
  'orders.deliveryFee': 'Delivery fee',
  'orders.detail': 'Order detail',
  'orders.lines': 'Lines',
  'orders.lineNo': 'Line',
  'orders.sku': 'SKU',
  'orders.qty': 'Qty',
  'orders.unitPrice': 'Unit price',
  'orders.amount': 'Amount',
  'orders.selectHint': 'Click a row to see the order',
  'orders.guest': 'Guest',

  'fulfillment.delivery': 'Delivery',
  'fulfillment.pickup': 'Pickup',
  'fulfillment.in_store': 'In store',

  'status.pending_payment': 'Awaiting payment',
  'status.paid': 'Paid',
  'status.completed': 'Completed',
  'status.collected': 'Collected',
  'status.delivered': 'Delivered',
  'status.cancelled': 'Cancelled',
  'status.expired': 'Expired',
  'status.in_fulfilment': 'In fulfilment',
  'status.ready_for_pickup': 'Ready for pickup',
  'status.shipped': 'Shipped',
  'status.out_for_delivery': 'Out for delivery',
  'status.fulfilment_failed': 'Fulfilment failed',
  'status.returned': 'Returned',
  'status.refunded': 'Refunded',

  'customers.title': 'Customers',
  'customers.subtitle': 'One profile per person; identifiers are masked according to your role',
  'customers.id': 'Customer',
  'customers.createdAt': 'Created',
  'customers.firstChannel': 'First channel',
  'customers.traits': 'Traits',
  'customers.identifiers': 'Identifiers',

  'trait.city': 'City',
  'trait.gender': 'Gender',
  'trait.home_store': 'Home store',
  'trait.birthday': 'Birthday',
  'gender.male': 'Male',
  'gender.female': 'Female',

  'identifier.phone': 'Phone',
  'identifier.email': 'Email',
  'identifier.wechat_openid': 'WeChat OpenID',
  'identifier.wechat_unionid': 'WeChat UnionID',
  'identifier.device_id': 'Device',
  'identifier.member_card': 'Member card',
  'identifier.pos_card': 'POS card',
  'identifier.external': 'External ID',

  'inventory.title': 'Inventory',
  'inventory.subtitle': 'The catalogue and live stock in every store and warehouse',
  'inventory.search': 'Search name or SKU',
  'inventory.category': 'Category',
  'inventory.name': 'Product',
  'inventory.listPrice': 'List price',
  'inventory.channels': 'Channels',
  'inventory.stock': 'Stock by location',
  'inventory.onHand': 'On hand',
  'inventory.reserved': 'Reserved',
  'inventory.safety': 'Safety stock',
  'inventory.available': 'Available',
  'inventory.onlineAvailable': 'Sellable online',
  'inventory.selectHint': 'Click a product to see its stock',
  'inventory.low': 'Below safety stock',

  'category.appliances': 'Appliances',
  'category.3c': 'Electronics',
  'category.mother_baby': 'Mother & baby',
  'category.fresh': 'Fresh',
  'category.snacks': 'Snacks',
  'category.personal_care': 'Personal care',

  'stores.title': 'Stores',
  'stores.subtitle': 'Distribution centres, stores and dark stores',
  'stores.map': 'Where they are',
  'stores.mapHint': 'Circles show the local delivery radius',
  'stores.mapLabel': 'Map of store locations',
  'stores.name': 'Name',
  'stores.type': 'Type',
  'stores.address': 'Address',
  'stores.hours': 'Opening hours',
  'stores.everyDay': 'Daily {hours}',
  'stores.closed': 'closed',
  'stores.ship': 'Ships',
  'stores.pickup': 'Pickup',
  'stores.delivery': 'Local delivery',
  'stores.km': '{km} km',
  'stores.scale': '{km} km',
  'stores.coords': 'Coordinates',
  'stores.north': 'N',

  'locationType.dc': 'Distribution centre',
  'locationType.store': 'Store',
  'locationType.dark_store': 'Dark store',

  'day.mon': 'Mon',
  'day.tue': 'Tue',
  'day.wed': 'Wed',
  'day.thu': 'Thu',
  'day.fri': 'Fri',
  'day.sat': 'Sat',
  'day.sun': 'Sun',

  'soon.title': 'Coming soon',
  'soon.loyalty': 'The loyalty module is on its way: points rules, tiers and benefits will be managed here.',
  'soon.marketing': 'The marketing module is on its way: segments, coupons and campaigns will be managed here.',

  'settings.title': 'Settings',
  'settings.subtitle': 'API keys and console preferences',
  'settings.keys': 'API keys',
  'settings.keysForbidden': 'Managing API keys is not allowed for your role (admins only)',
  'settings.name': 'Name',
  'settings.role': 'Role',
  'settings.prefix': 'Prefix',
  'settings.location': 'Location',
  'settings.channel': 'Channel',
  'settings.createdAt': 'Created',
  'settings.state': 'State',
  'settings.active': 'Active',
  'settings.revoked': 'Revoked {date}',
  'settings.revoke': 'Revoke',
  'settings.revokeConfirm': 'Revoke the key "{name}"? Systems using it lose access at once.',
  'settings.revokeOwn': 'This is the key you are signed in with; revoking it signs you out. Revoke "{name}"?',
  'settings.current': 'current',
  'settings.create': 'New key',
  'settings.createSubmit': 'Create',
  'settings.creating': 'Creating…',
  'settings.optional': '(optional)',
  'settings.locationRequired': 'A store staff key must be bound to one location',
  'settings.channelRequired': 'An integration key must be bound to one channel',
  'settings.nameRequired': 'Please enter a name',
  'settings.newKey': 'The new key has been created. Copy it now: it is shown only this once.',
  'settings.copy': 'Copy',
  'settings.copied': 'Copied',
  'settings.dismiss': 'I have saved it',
  'settings.language': 'Language',
  'settings.session': 'This session',
  'settings.server': 'Server',

  'role.admin': 'Admin',
  'role.marketer': 'Marketer',
  'role.store_staff': 'Store staff',
  'role.support': 'Support',
  'role.analyst': 'Analyst',
  'role.integration': 'Integration',

  'notFound.title': 'Page not found',
  'notFound.back': 'Back to the dashboard',
};

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const LANG_STORAGE = 'santong.lang';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[lang][key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Translates a key built from data (a channel, status, role…); unknown values are shown as they are. */
export function translateValue(t: Translate, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return t('common.none');
  const key = `${prefix}.${value}`;
  return key in zhCN ? t(key as MessageKey) : value;
}

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_STORAGE);
    return v === 'en' || v === 'zh-CN' ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(LANG_STORAGE, l);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = lang === 'en' ? 'Santong console' : '三通 控制台';
  }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars) }), [lang, setLang]);
  return createElement(I18nContext.Provider, { value }, children);
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
