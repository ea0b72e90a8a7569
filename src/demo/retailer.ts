import type { OpeningHours } from '../modules/locations/service';

/** The demo retailer: 海纳优选 (Haina Select), a fictional Shanghai chain. */
export interface DemoLocation {
  id: string;
  name: string;
  type: 'dc' | 'store';
  lat: number;
  lng: number;
  address: string;
  opening_hours: OpeningHours | null;
  can_ship: boolean;
  can_pickup: boolean;
  local_delivery_km: number | null;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
function hours(open: string, close: string, weekendClose = close): OpeningHours {
  return Object.fromEntries(
    DAYS.map((d) => [d, [[open, d === 'fri' || d === 'sat' ? weekendClose : close]]]),
  ) as OpeningHours;
}

export const DEMO_LOCATIONS: DemoLocation[] = [
  {
    id: 'dc-jiading',
    name: '嘉定中心仓 Jiading DC',
    type: 'dc',
    lat: 31.3747,
    lng: 121.2654,
    address: '上海市嘉定区马陆镇宝安公路',
    opening_hours: null,
    can_ship: true,
    can_pickup: false,
    local_delivery_km: null,
  },
  {
    id: 'st-renmin',
    name: "人民广场店 People's Square",
    type: 'store',
    lat: 31.2323,
    lng: 121.4752,
    address: '黄浦区南京西路',
    opening_hours: hours('08:00', '22:00', '23:00'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-lujiazui',
    name: '陆家嘴店 Lujiazui',
    type: 'store',
    lat: 31.2381,
    lng: 121.5051,
    address: '浦东新区陆家嘴环路',
    opening_hours: hours('10:00', '22:00'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-xujiahui',
    name: '徐家汇店 Xujiahui',
    type: 'store',
    lat: 31.1946,
    lng: 121.4369,
    address: '徐汇区漕溪北路',
    opening_hours: hours('10:00', '22:00'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-jingan',
    name: "静安寺店 Jing'an Temple",
    type: 'store',
    lat: 31.2235,
    lng: 121.4456,
    address: '静安区南京西路',
    opening_hours: hours('09:00', '22:00'),
    can_ship: false,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-wujiaochang',
    name: '五角场店 Wujiaochang',
    type: 'store',
    lat: 31.2993,
    lng: 121.5145,
    address: '杨浦区淞沪路',
    opening_hours: hours('09:00', '22:00'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-zhongshan',
    name: '中山公园店 Zhongshan Park',
    type: 'store',
    lat: 31.2196,
    lng: 121.4166,
    address: '长宁区长宁路',
    opening_hours: hours('10:00', '22:00'),
    can_ship: false,
    can_pickup: true,
    local_delivery_km: null,
  },
  {
    id: 'st-hongqiao',
    name: '虹桥店 Hongqiao',
    type: 'store',
    lat: 31.1965,
    lng: 121.389,
    address: '闵行区虹桥路',
    opening_hours: hours('09:00', '21:30'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: null,
  },
  {
    id: 'st-century',
    name: '世纪公园店 Century Park',
    type: 'store',
    lat: 31.2128,
    lng: 121.5443,
    address: '浦东新区锦绣路',
    opening_hours: hours('09:00', '22:00'),
    can_ship: false,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-qibao',
    name: '七宝店 Qibao',
    type: 'store',
    lat: 31.156,
    lng: 121.3539,
    address: '闵行区七莘路',
    opening_hours: hours('09:00', '21:00'),
    can_ship: false,
    can_pickup: true,
    local_delivery_km: null,
  },
  {
    id: 'st-xinzhuang',
    name: '莘庄店 Xinzhuang',
    type: 'store',
    lat: 31.111,
    lng: 121.3853,
    address: '闵行区莘庄镇',
    opening_hours: hours('07:00', '23:00'),
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
  {
    id: 'st-daning',
    name: '大宁店 Daning',
    type: 'store',
    lat: 31.2805,
    lng: 121.4575,
    address: '静安区共和新路',
    opening_hours: hours('10:00', '22:00'),
    can_ship: false,
    can_pickup: true,
    local_delivery_km: null,
  },
  {
    id: 'st-zhangjiang',
    name: '张江店 Zhangjiang',
    type: 'store',
    lat: 31.2035,
    lng: 121.59,
    address: '浦东新区张江路',
    opening_hours: null,
    can_ship: true,
    can_pickup: true,
    local_delivery_km: 3,
  },
];

/** Catalogue building blocks: per category, items with a price range in fen and variants. */
export const DEMO_CATEGORIES: Record<
  string,
  { items: [string, number, number][]; brands: string[]; variants: string[]; weight: number }
> = {
  appliances: {
    items: [
      ['电饭煲', 19900, 89900],
      ['空气炸锅', 29900, 79900],
      ['电水壶', 7900, 29900],
      ['吸尘器', 59900, 399900],
      ['净化器', 89900, 299900],
      ['微波炉', 39900, 129900],
      ['破壁机', 29900, 159900],
      ['电风扇', 12900, 49900],
    ],
    brands: ['美的', '九阳', '苏泊尔', '小米', '飞利浦'],
    variants: ['标准款', '升级款', 'Pro'],
    weight: 0.8,
  },
  '3c': {
    items: [
      ['蓝牙耳机', 9900, 199900],
      ['充电宝', 7900, 29900],
      ['数据线', 1900, 9900],
      ['智能手表', 39900, 299900],
      ['平板', 149900, 699900],
      ['键盘', 9900, 69900],
      ['鼠标', 4900, 39900],
    ],
    brands: ['华为', '小米', '绿联', '安克', '罗技'],
    variants: ['黑色', '白色', '蓝色'],
    weight: 0.9,
  },
  mother_baby: {
    items: [
      ['纸尿裤', 8900, 21900],
      ['婴儿奶粉', 19900, 45900],
      ['湿巾', 1290, 4990],
      ['奶瓶', 4900, 15900],
      ['辅食', 1590, 5990],
      ['婴儿洗护', 3900, 9900],
    ],
    brands: ['花王', '帮宝适', '飞鹤', '贝亲', '爱他美'],
    variants: ['S', 'M', 'L', 'XL'],
    weight: 1.2,
  },
  fresh: {
    items: [
      ['鲜牛奶', 990, 2590],
      ['鸡蛋', 1290, 3290],
      ['草莓', 1990, 5990],
      ['三文鱼', 5990, 15990],
      ['牛排', 6990, 19990],
      ['青菜', 390, 1290],
      ['苹果', 1290, 3990],
      ['面包', 890, 2590],
    ],
    brands: ['光明', '盒马', '本来生活', '百果园', '每日优鲜'],
    variants: ['小份', '家庭装', '精选'],
    weight: 2.2,
  },
  snacks: {
    items: [
      ['坚果', 2990, 12900],
      ['薯片', 590, 1590],
      ['巧克力', 990, 4990],
      ['饼干', 690, 2990],
      ['肉干', 1990, 6990],
      ['饮料', 290, 990],
      ['茶饮', 390, 1290],
    ],
    brands: ['三只松鼠', '良品铺子', '乐事', '德芙', '奥利奥', '农夫山泉'],
    variants: ['原味', '海盐', '量贩装'],
    weight: 2.0,
  },
  personal_care: {
    items: [
      ['洗发水', 2990, 12900],
      ['牙膏', 990, 3990],
      ['面霜', 9900, 59900],
      ['洗面奶', 3990, 15900],
      ['沐浴露', 2990, 8990],
      ['防晒霜', 6900, 25900],
      ['电动牙刷', 9900, 59900],
    ],
    brands: ['海飞丝', '云南白药', '欧莱雅', '珀莱雅', '多芬', '飞利浦'],
    variants: ['100ml', '200ml', '400ml'],
    weight: 1.3,
  },
};
