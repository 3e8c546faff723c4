"""The national data set (全国规模数据) of ``jiequ seed --scale national``: 31 provinces, their prefecture-level
cities as tenants (the districts of the four municipalities), ~10,000 streets and ~1.5 million entities with
a year of data, generated like the demo (services.demo.generator) and loaded with COPY as the schema owner.

Divisions are the real ones (GB/T 2260 names and codes; for the municipalities their central districts);
tenant slugs are their pinyin, prefixed with the province's slug where two places share one. Street
districts inside a prefecture are plausible codes under the city's prefix, not a list of real counties.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date
from typing import Final

import msgspec
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from services.demo.generator import CityStreets
from services.demo.loading import Driver, Ids, Rows, bulk_load, start_load
from services.demo.names import THEME_WORDS, EntityKind, Theme, demo_rng, person_name
from services.demo.plans import DEMO_SEED, PROFILES, Naming, Period, StreetPlan, periods, plan_streets
from services.tenancy.seed import seed_tenants
from tenants import calendar
from tenants.registry import SHANDONG, SHANDONG_CITIES, TenantInfo


class Place(msgspec.Struct, frozen=True):
    """A prefecture-level division (or a municipality's district): code, full and short name, pinyin."""

    code: str
    name_zh: str
    short: str
    pinyin: str


class Province(msgspec.Struct, frozen=True):
    """A provincial-level division and its cities."""

    code: str
    name_zh: str
    name_en: str
    slug: str
    places: tuple[Place, ...]


def _places(table: str) -> tuple[Place, ...]:
    """Parse "130100 石家庄市 shijiazhuang, 222400 延边朝鲜族自治州/延边 yanbian": the short name follows a
    slash where it is not the name without 市 or 区 (as in company names: 石家庄, 延边)."""
    places = []
    for entry in table.split(","):
        code, name, pinyin = entry.split()
        full, _, short = name.partition("/")
        places.append(Place(code, full, short or full.removesuffix("市").removesuffix("区"), pinyin))
    return tuple(places)


# A province to a few lines reads better than an argument to a line.
# fmt: off
PROVINCES: Final[tuple[Province, ...]] = (
    Province("110000", "北京市", "Beijing", "beijing", _places(
        "110101 东城区 dongcheng, 110102 西城区 xicheng, 110105 朝阳区 chaoyang, 110106 丰台区 fengtai,"
        "110107 石景山区 shijingshan, 110108 海淀区 haidian, 110109 门头沟区 mentougou, 110111 房山区 fangshan")),
    Province("120000", "天津市", "Tianjin", "tianjin", _places(
        "120101 和平区 heping, 120102 河东区 hedong, 120103 河西区 hexi, 120104 南开区 nankai,"
        "120105 河北区 hebei, 120106 红桥区 hongqiao, 120110 东丽区 dongli, 120111 西青区 xiqing")),
    Province("130000", "河北省", "Hebei", "hebei", _places(
        "130100 石家庄市 shijiazhuang, 130200 唐山市 tangshan, 130300 秦皇岛市 qinhuangdao, 130400 邯郸市 handan,"
        "130500 邢台市 xingtai, 130600 保定市 baoding, 130700 张家口市 zhangjiakou, 130800 承德市 chengde,"
        "130900 沧州市 cangzhou, 131000 廊坊市 langfang, 131100 衡水市 hengshui")),
    Province("140000", "山西省", "Shanxi", "shanxi", _places(
        "140100 太原市 taiyuan, 140200 大同市 datong, 140300 阳泉市 yangquan, 140400 长治市 changzhi,"
        "140500 晋城市 jincheng, 140600 朔州市 shuozhou, 140700 晋中市 jinzhong, 140800 运城市 yuncheng,"
        "140900 忻州市 xinzhou, 141000 临汾市 linfen, 141100 吕梁市 lvliang")),
    Province("150000", "内蒙古自治区", "Inner Mongolia", "neimenggu", _places(
        "150100 呼和浩特市 huhehaote, 150200 包头市 baotou, 150300 乌海市 wuhai, 150400 赤峰市 chifeng,"
        "150500 通辽市 tongliao, 150600 鄂尔多斯市 eerduosi, 150700 呼伦贝尔市 hulunbeier,"
        "150800 巴彦淖尔市 bayannaoer, 150900 乌兰察布市 wulanchabu, 152200 兴安盟/兴安 xingan,"
        "152500 锡林郭勒盟/锡林郭勒 xilinguole, 152900 阿拉善盟/阿拉善 alashan")),
    Province("210000", "辽宁省", "Liaoning", "liaoning", _places(
        "210100 沈阳市 shenyang, 210200 大连市 dalian, 210300 鞍山市 anshan, 210400 抚顺市 fushun,"
        "210500 本溪市 benxi, 210600 丹东市 dandong, 210700 锦州市 jinzhou, 210800 营口市 yingkou,"
        "210900 阜新市 fuxin, 211000 辽阳市 liaoyang, 211100 盘锦市 panjin, 211200 铁岭市 tieling,"
        "211300 朝阳市 chaoyang, 211400 葫芦岛市 huludao")),
    Province("220000", "吉林省", "Jilin", "jilin", _places(
        "220100 长春市 changchun, 220200 吉林市 jilin, 220300 四平市 siping, 220400 辽源市 liaoyuan,"
        "220500 通化市 tonghua, 220600 白山市 baishan, 220700 松原市 songyuan, 220800 白城市 baicheng,"
        "222400 延边朝鲜族自治州/延边 yanbian")),
    Province("230000", "黑龙江省", "Heilongjiang", "heilongjiang", _places(
        "230100 哈尔滨市 haerbin, 230200 齐齐哈尔市 qiqihaer, 230300 鸡西市 jixi, 230400 鹤岗市 hegang,"
        "230500 双鸭山市 shuangyashan, 230600 大庆市 daqing, 230700 伊春市 yichun, 230800 佳木斯市 jiamusi,"
        "230900 七台河市 qitaihe, 231000 牡丹江市 mudanjiang, 231100 黑河市 heihe, 231200 绥化市 suihua,"
        "232700 大兴安岭地区/大兴安岭 daxinganling")),
    Province("310000", "上海市", "Shanghai", "shanghai", _places(
        "310101 黄浦区 huangpu, 310104 徐汇区 xuhui, 310105 长宁区 changning, 310106 静安区 jingan,"
        "310107 普陀区 putuo, 310109 虹口区 hongkou, 310110 杨浦区 yangpu, 310115 浦东新区/浦东 pudong")),
    Province("320000", "江苏省", "Jiangsu", "jiangsu", _places(
        "320100 南京市 nanjing, 320200 无锡市 wuxi, 320300 徐州市 xuzhou, 320400 常州市 changzhou,"
        "320500 苏州市 suzhou, 320600 南通市 nantong, 320700 连云港市 lianyungang, 320800 淮安市 huaian,"
        "320900 盐城市 yancheng, 321000 扬州市 yangzhou, 321100 镇江市 zhenjiang, 321200 泰州市 taizhou,"
        "321300 宿迁市 suqian")),
    Province("330000", "浙江省", "Zhejiang", "zhejiang", _places(
        "330100 杭州市 hangzhou, 330200 宁波市 ningbo, 330300 温州市 wenzhou, 330400 嘉兴市 jiaxing,"
        "330500 湖州市 huzhou, 330600 绍兴市 shaoxing, 330700 金华市 jinhua, 330800 衢州市 quzhou,"
        "330900 舟山市 zhoushan, 331000 台州市 taizhou, 331100 丽水市 lishui")),
    Province("340000", "安徽省", "Anhui", "anhui", _places(
        "340100 合肥市 hefei, 340200 芜湖市 wuhu, 340300 蚌埠市 bengbu, 340400 淮南市 huainan,"
        "340500 马鞍山市 maanshan, 340600 淮北市 huaibei, 340700 铜陵市 tongling, 340800 安庆市 anqing,"
        "341000 黄山市 huangshan, 341100 滁州市 chuzhou, 341200 阜阳市 fuyang, 341300 宿州市 suzhou,"
        "341500 六安市 luan, 341600 亳州市 bozhou, 341700 池州市 chizhou, 341800 宣城市 xuancheng")),
    Province("350000", "福建省", "Fujian", "fujian", _places(
        "350100 福州市 fuzhou, 350200 厦门市 xiamen, 350300 莆田市 putian, 350400 三明市 sanming,"
        "350500 泉州市 quanzhou, 350600 漳州市 zhangzhou, 350700 南平市 nanping, 350800 龙岩市 longyan,"
        "350900 宁德市 ningde")),
    Province("360000", "江西省", "Jiangxi", "jiangxi", _places(
        "360100 南昌市 nanchang, 360200 景德镇市 jingdezhen, 360300 萍乡市 pingxiang, 360400 九江市 jiujiang,"
        "360500 新余市 xinyu, 360600 鹰潭市 yingtan, 360700 赣州市 ganzhou, 360800 吉安市 jian,"
        "360900 宜春市 yichun, 361000 抚州市 fuzhou, 361100 上饶市 shangrao")),
    Province(SHANDONG.code, SHANDONG.name_zh, "Shandong", SHANDONG.slug, tuple(
        Place(city.code, city.name_zh, city.name_zh.removesuffix("市"), city.slug) for city in SHANDONG_CITIES)),
    Province("410000", "河南省", "Henan", "henan", _places(
        "410100 郑州市 zhengzhou, 410200 开封市 kaifeng, 410300 洛阳市 luoyang, 410400 平顶山市 pingdingshan,"
        "410500 安阳市 anyang, 410600 鹤壁市 hebi, 410700 新乡市 xinxiang, 410800 焦作市 jiaozuo,"
        "410900 濮阳市 puyang, 411000 许昌市 xuchang, 411100 漯河市 luohe, 411200 三门峡市 sanmenxia,"
        "411300 南阳市 nanyang, 411400 商丘市 shangqiu, 411500 信阳市 xinyang, 411600 周口市 zhoukou,"
        "411700 驻马店市 zhumadian")),
    Province("420000", "湖北省", "Hubei", "hubei", _places(
        "420100 武汉市 wuhan, 420200 黄石市 huangshi, 420300 十堰市 shiyan, 420500 宜昌市 yichang,"
        "420600 襄阳市 xiangyang, 420700 鄂州市 ezhou, 420800 荆门市 jingmen, 420900 孝感市 xiaogan,"
        "421000 荆州市 jingzhou, 421100 黄冈市 huanggang, 421200 咸宁市 xianning, 421300 随州市 suizhou,"
        "422800 恩施土家族苗族自治州/恩施 enshi")),
    Province("430000", "湖南省", "Hunan", "hunan", _places(
        "430100 长沙市 changsha, 430200 株洲市 zhuzhou, 430300 湘潭市 xiangtan, 430400 衡阳市 hengyang,"
        "430500 邵阳市 shaoyang, 430600 岳阳市 yueyang, 430700 常德市 changde, 430800 张家界市 zhangjiajie,"
        "430900 益阳市 yiyang, 431000 郴州市 chenzhou, 431100 永州市 yongzhou, 431200 怀化市 huaihua,"
        "431300 娄底市 loudi, 433100 湘西土家族苗族自治州/湘西 xiangxi")),
    Province("440000", "广东省", "Guangdong", "guangdong", _places(
        "440100 广州市 guangzhou, 440200 韶关市 shaoguan, 440300 深圳市 shenzhen, 440400 珠海市 zhuhai,"
        "440500 汕头市 shantou, 440600 佛山市 foshan, 440700 江门市 jiangmen, 440800 湛江市 zhanjiang,"
        "440900 茂名市 maoming, 441200 肇庆市 zhaoqing, 441300 惠州市 huizhou, 441400 梅州市 meizhou,"
        "441500 汕尾市 shanwei, 441600 河源市 heyuan, 441700 阳江市 yangjiang, 441800 清远市 qingyuan,"
        "441900 东莞市 dongguan, 442000 中山市 zhongshan, 445100 潮州市 chaozhou, 445200 揭阳市 jieyang,"
        "445300 云浮市 yunfu")),
    Province("450000", "广西壮族自治区", "Guangxi", "guangxi", _places(
        "450100 南宁市 nanning, 450200 柳州市 liuzhou, 450300 桂林市 guilin, 450400 梧州市 wuzhou,"
        "450500 北海市 beihai, 450600 防城港市 fangchenggang, 450700 钦州市 qinzhou, 450800 贵港市 guigang,"
        "450900 玉林市 yulin, 451000 百色市 baise, 451100 贺州市 hezhou, 451200 河池市 hechi,"
        "451300 来宾市 laibin, 451400 崇左市 chongzuo")),
    Province("460000", "海南省", "Hainan", "hainan", _places(
        "460100 海口市 haikou, 460200 三亚市 sanya, 460300 三沙市 sansha, 460400 儋州市 danzhou")),
    Province("500000", "重庆市", "Chongqing", "chongqing", _places(
        "500101 万州区 wanzhou, 500102 涪陵区 fuling, 500103 渝中区 yuzhong, 500104 大渡口区 dadukou,"
        "500105 江北区 jiangbei, 500106 沙坪坝区 shapingba, 500107 九龙坡区 jiulongpo, 500108 南岸区 nanan")),
    Province("510000", "四川省", "Sichuan", "sichuan", _places(
        "510100 成都市 chengdu, 510300 自贡市 zigong, 510400 攀枝花市 panzhihua, 510500 泸州市 luzhou,"
        "510600 德阳市 deyang, 510700 绵阳市 mianyang, 510800 广元市 guangyuan, 510900 遂宁市 suining,"
        "511000 内江市 neijiang, 511100 乐山市 leshan, 511300 南充市 nanchong, 511400 眉山市 meishan,"
        "511500 宜宾市 yibin, 511600 广安市 guangan, 511700 达州市 dazhou, 511800 雅安市 yaan,"
        "511900 巴中市 bazhong, 512000 资阳市 ziyang, 513200 阿坝藏族羌族自治州/阿坝 aba,"
        "513300 甘孜藏族自治州/甘孜 ganzi, 513400 凉山彝族自治州/凉山 liangshan")),
    Province("520000", "贵州省", "Guizhou", "guizhou", _places(
        "520100 贵阳市 guiyang, 520200 六盘水市 liupanshui, 520300 遵义市 zunyi, 520400 安顺市 anshun,"
        "520500 毕节市 bijie, 520600 铜仁市 tongren, 522300 黔西南布依族苗族自治州/黔西南 qianxinan,"
        "522600 黔东南苗族侗族自治州/黔东南 qiandongnan, 522700 黔南布依族苗族自治州/黔南 qiannan")),
    Province("530000", "云南省", "Yunnan", "yunnan", _places(
        "530100 昆明市 kunming, 530300 曲靖市 qujing, 530400 玉溪市 yuxi, 530500 保山市 baoshan,"
        "530600 昭通市 zhaotong, 530700 丽江市 lijiang, 530800 普洱市 puer, 530900 临沧市 lincang,"
        "532300 楚雄彝族自治州/楚雄 chuxiong, 532500 红河哈尼族彝族自治州/红河 honghe,"
        "532600 文山壮族苗族自治州/文山 wenshan, 532800 西双版纳傣族自治州/西双版纳 xishuangbanna,"
        "532900 大理白族自治州/大理 dali, 533100 德宏傣族景颇族自治州/德宏 dehong,"
        "533300 怒江傈僳族自治州/怒江 nujiang, 533400 迪庆藏族自治州/迪庆 diqing")),
    Province("540000", "西藏自治区", "Xizang", "xizang", _places(
        "540100 拉萨市 lasa, 540200 日喀则市 rikaze, 540300 昌都市 changdu, 540400 林芝市 linzhi,"
        "540500 山南市 shannan, 540600 那曲市 naqu, 542500 阿里地区/阿里 ali")),
    Province("610000", "陕西省", "Shaanxi", "shaanxi", _places(
        "610100 西安市 xian, 610200 铜川市 tongchuan, 610300 宝鸡市 baoji, 610400 咸阳市 xianyang,"
        "610500 渭南市 weinan, 610600 延安市 yanan, 610700 汉中市 hanzhong, 610800 榆林市 yulin,"
        "610900 安康市 ankang, 611000 商洛市 shangluo")),
    Province("620000", "甘肃省", "Gansu", "gansu", _places(
        "620100 兰州市 lanzhou, 620200 嘉峪关市 jiayuguan, 620300 金昌市 jinchang, 620400 白银市 baiyin,"
        "620500 天水市 tianshui, 620600 武威市 wuwei, 620700 张掖市 zhangye, 620800 平凉市 pingliang,"
        "620900 酒泉市 jiuquan, 621000 庆阳市 qingyang, 621100 定西市 dingxi, 621200 陇南市 longnan,"
        "622900 临夏回族自治州/临夏 linxia, 623000 甘南藏族自治州/甘南 gannan")),
    Province("630000", "青海省", "Qinghai", "qinghai", _places(
        "630100 西宁市 xining, 630200 海东市 haidong, 632200 海北藏族自治州/海北 haibei,"
        "632300 黄南藏族自治州/黄南 huangnan, 632500 海南藏族自治州/海南 hainan, 632600 果洛藏族自治州/果洛 guoluo,"
        "632700 玉树藏族自治州/玉树 yushu, 632800 海西蒙古族藏族自治州/海西 haixi")),
    Province("640000", "宁夏回族自治区", "Ningxia", "ningxia", _places(
        "640100 银川市 yinchuan, 640200 石嘴山市 shizuishan, 640300 吴忠市 wuzhong, 640400 固原市 guyuan,"
        "640500 中卫市 zhongwei")),
    Province("650000", "新疆维吾尔自治区", "Xinjiang", "xinjiang", _places(
        "650100 乌鲁木齐市 wulumuqi, 650200 克拉玛依市 kelamayi, 650400 吐鲁番市 tulufan, 650500 哈密市 hami,"
        "652300 昌吉回族自治州/昌吉 changji, 652700 博尔塔拉蒙古自治州/博尔塔拉 boertala,"
        "652800 巴音郭楞蒙古自治州/巴音郭楞 bayinguoleng, 652900 阿克苏地区/阿克苏 akesu,"
        "653000 克孜勒苏柯尔克孜自治州/克孜勒苏 kezilesu, 653100 喀什地区/喀什 kashi, 653200 和田地区/和田 hetian,"
        "654000 伊犁哈萨克自治州/伊犁 yili, 654200 塔城地区/塔城 tacheng, 654300 阿勒泰地区/阿勒泰 aletai")),
)
# fmt: on

# Roads found in most Chinese cities, for addresses; with other common places, what a street is named after.
_ROADS: Final = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "文化路",
    "新华路",
    "和平路",
    "胜利路",
    "青年路",
    "花园路",
    "站前路",
    "滨河路",
)
_LANDMARKS: Final = (*_ROADS, "老街", "古城", "大学城", "高新区", "步行街", "科创园", "南门", "东关")
_COMPANY_TRADES: Final = ("科技有限公司", "商贸有限公司", "文化传媒有限公司", "电子商务有限公司", "餐饮管理有限公司")
_SHOPS: Final = ("餐饮店", "便利店", "小吃店", "服装店", "烘焙坊", "设计工作室")
_COOPERATIVES: Final = ("果蔬种植专业合作社", "畜禽养殖专业合作社", "茶叶种植专业合作社")


class NationalNaming:
    """Names in a city of the national data set: its short name with common places, trades and people's names."""

    def __init__(self, tenant: str, place: Place) -> None:
        self._tenant = tenant
        self.place = place
        # A municipality's district is itself the street's district; a prefecture has districts under its
        # prefix (…02 onwards: …01 is 市辖区, no place of its own).
        municipal = place.code[4:] != "00"
        self._districts = (place.code,) if municipal else tuple(f"{place.code[:4]}{n:02d}" for n in range(2, 10))

    @property
    def tenant(self) -> str:
        return self._tenant

    @property
    def districts(self) -> tuple[str, ...]:
        return self._districts

    def street_name(self, rng: random.Random, theme: Theme) -> str:
        return f"{self.place.short}{rng.choice(_LANDMARKS)}{rng.choice(THEME_WORDS[theme])}创业街区"

    def operator_name(self, rng: random.Random) -> str:
        return f"{self.place.short}{person_name(rng)[-2:]}街区运营管理有限公司"

    def entity_name(self, rng: random.Random, kind: EntityKind) -> str:
        # Trade names after a founder's (given) name, as many small businesses are registered.
        if kind == "individual":
            return f"{self.place.short}{person_name(rng)}{rng.choice(_SHOPS)}"
        if kind == "cooperative":
            return f"{self.place.short}{person_name(rng)[-2:]}{rng.choice(_COOPERATIVES)}"
        if kind == "other":
            return f"{self.place.short}{person_name(rng)[-2:]}创业服务中心"
        return f"{self.place.short}{person_name(rng)[-2:]}{rng.choice(_COMPANY_TRADES)}"

    def address(self, rng: random.Random, district: str) -> str:  # noqa: ARG002  # generated codes have no names
        return f"{self.place.name_zh}{rng.choice(_ROADS)}{rng.randint(1, 299)}号"


class NationalScale(msgspec.Struct, frozen=True, kw_only=True):
    """How much to generate: the first `provinces` by code, `cities` of each (None: all), streets per city."""

    provinces: int = len(PROVINCES)
    cities: int | None = None
    streets_per_city: tuple[int, int] = (20, 35)


class NationalCity(msgspec.Struct, frozen=True):
    """A city tenant of the national data set and how its names are made."""

    tenant: TenantInfo
    naming: Naming


def national_cities(provinces: Sequence[Province], cities: int | None = None) -> list[tuple[Province, NationalCity]]:
    """Each province's city tenants: Shandong's are the built-in ones (named like the others: the demo's
    landmarks are too few for a national city's streets); elsewhere the slug is the pinyin,
    or ``{province}_{pinyin}`` when a province or an earlier city already has it (朝阳区 and 朝阳市)."""
    taken = {p.slug for p in PROVINCES} | {c.slug for c in SHANDONG_CITIES}
    made = []
    for province in provinces:
        for place in province.places[:cities]:
            if province.slug == SHANDONG.slug:
                info = next(c for c in SHANDONG_CITIES if c.code == place.code)
            else:
                slug = place.pinyin if place.pinyin not in taken else f"{province.slug}_{place.pinyin}"
                taken.add(slug)
                info = TenantInfo(
                    slug=slug,
                    code=place.code,
                    name_zh=place.name_zh,
                    name_en=place.pinyin.title(),
                    parent=province.slug,
                )
            made.append((province, NationalCity(info, NationalNaming(info.slug, place))))
    return made


_STATUSES: Final = ("applied", "recommended", "pilot", "designated")
_STATUS_WEIGHTS: Final = (70, 10, 8, 12)


def national_plans(rng: random.Random, city: NationalCity, scale: NationalScale) -> list[StreetPlan]:
    """A city's streets: profiles in their national shares (half exemplary), statuses mostly applied."""
    count = rng.randint(*scale.streets_per_city)
    profiles = rng.choices(PROFILES, weights=[p.weight for p in PROFILES], k=count)
    return plan_streets(rng, city.naming, profiles, rng.choices(_STATUSES, weights=_STATUS_WEIGHTS, k=count))


def _city_rows(ids: Ids, city: NationalCity, spans: Sequence[Period], scale: NationalScale) -> Rows:
    rng, rows = demo_rng(DEMO_SEED, city.tenant.slug, "national"), Rows()
    streets = CityStreets(rows, ids, rng, city.naming, spans)
    for plan in national_plans(rng, city, scale):
        streets.add(plan)
    return rows


async def _made_ahead(
    ids: Ids, cities: Sequence[NationalCity], spans: Sequence[Period], scale: NationalScale
) -> AsyncIterator[Rows]:
    """Each city's rows, the next city's being made in a thread while the caller copies these."""
    if not cities:
        return
    coming = asyncio.ensure_future(asyncio.to_thread(_city_rows, ids, cities[0], spans, scale))
    for city in cities[1:]:
        rows = await coming
        coming = asyncio.ensure_future(asyncio.to_thread(_city_rows, ids, city, spans, scale))
        yield rows
    yield await coming


async def _load(
    connection: Driver,
    ids: Ids,
    todo: Sequence[tuple[Province, NationalCity]],
    spans: Sequence[Period],
    scale: NationalScale,
    report: Callable[[str], None],
) -> Counter[str]:
    """Copy the cities' rows, reporting each province when its last city is in."""
    totals: Counter[str] = Counter()
    loaded: Counter[str] = Counter()
    cities = _made_ahead(ids, [city for _, city in todo], spans, scale)
    for n, (province, _) in enumerate(todo):
        rows = await anext(cities)
        await rows.copy(connection)
        loaded.update(rows.counts())
        if n + 1 == len(todo) or todo[n + 1][0] != province:
            report(
                f"{province.name_zh} {province.slug}: {loaded['streets']:,} streets, "
                f"{loaded['entities']:,} entities, {loaded['ledger_visits']:,} visits"
            )
            totals.update(loaded)
            loaded.clear()
    return totals


async def seed_national(
    sessions: async_sessionmaker[AsyncSession],
    *,
    scale: NationalScale | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create the provinces and city tenants and load the streets of every city that has none yet.

    The load is one transaction: all or nothing, and a second run after either adds nothing. It holds the
    street tables exclusively while it runs (maintenance, not for a database in use). A city's rows are
    made in a thread while the previous city's are copied, so Python and the server work at once, and
    memory holds two cities at most. Returns the rows loaded per table.
    """
    scale = scale or NationalScale()
    report = progress or (lambda _: None)
    started = time.monotonic()
    provinces = PROVINCES[: scale.provinces]
    cities = national_cities(provinces, scale.cities)
    async with owner_transaction(sessions) as session:
        await seed_tenants(
            session,
            [
                *(TenantInfo(slug=p.slug, code=p.code, name_zh=p.name_zh, name_en=p.name_en) for p in provinces),
                *(city.tenant for _, city in cities),
            ],
        )
    spans = periods(today or calendar.today(), this_year=False)
    totals: Counter[str] = Counter()
    async with owner_transaction(sessions) as session:
        connection, ids = await start_load(session)
        seeded = {row[0] for row in await connection.fetch("SELECT DISTINCT tenant_id FROM streets")}
        todo = [(province, city) for province, city in cities if city.tenant.slug not in seeded]
        if todo:
            async with bulk_load(connection):
                totals = await _load(
                    connection,
                    ids,
                    todo,
                    spans,
                    scale,
                    lambda line: report(f"{line} ({time.monotonic() - started:.0f} s)"),
                )
                report(f"restoring foreign keys and indexes ({time.monotonic() - started:.0f} s)")
        await ids.release(connection)
    report(
        f"全国数据已载入 / national data loaded: {totals['streets']:,} streets, {totals['entities']:,} entities, "
        f"{sum(totals.values()):,} rows in {time.monotonic() - started:.0f} s"
    )
    return {table: count for table, count in totals.items() if count}
